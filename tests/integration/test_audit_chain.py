from core.audit import chain
from core.audit.tables import AuditEntry


async def test_chain_verifies_and_detects_tampering(db):
    for i in range(3):
        await chain.append("login", chain="agency:000.30.31.H39", actor_id=1, object_type="user", object_id=i)
    await chain.append("config", actor_id=1, data={"k": "Đồng Nai"})
    assert await chain.verify_all() == []
    await AuditEntry.update({AuditEntry.action: "logout"}).where(AuditEntry.seq == 2)
    problems = await chain.verify_all()
    assert problems == ["Chuỗi 'agency:000.30.31.H39': bản ghi số 2 (id 2) đã bị sửa."]


async def test_deleted_last_row_is_detected(db):
    await chain.append("a")
    await chain.append("b")
    await AuditEntry.delete().where(AuditEntry.seq == 2)
    assert await chain.verify("global") == "Chuỗi 'global': bản ghi cuối (số 2) đã bị xoá."
