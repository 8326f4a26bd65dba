"""The software key store: a certification authority and one signing key per officer, for the demo and
the tests (a province signs with USB tokens or a remote signing service instead, see
``docs/integration.md``).

Everything lives in ``<data dir>/signing/`` (owner-only), never in git:

* ``ca.pem``: the store's root certificate (public: it is the trust root of the verification page);
* ``ca-key.pem``: its private key, PKCS#8 encrypted with the store's passphrase;
* ``signers/<user id>.p12``: each officer's key and certificate chain, PKCS#12 encrypted likewise.

The passphrase is ``MOTCUA_SIGNING_PASSPHRASE``, or else derived from the secret key (HMAC), so a copy of
the folder alone opens nothing. Keys are made on first use with ``cryptography`` (RSA 2048, SHA-256);
two processes making the same file at once keep the first one written (``os.link`` is atomic).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from core.contract.signing import SignerRef, SigningUnavailable
from core.settings import get_settings, private_dir

__all__ = ("SoftwareKeyStore", "SoftwareSigner", "CA_NAME", "keystore")

CA_NAME = "motcua CA thử nghiệm (không dùng cho giao dịch thật)"
"""Common name of the store's root: says on every certificate that it is a test authority."""
CERT_YEARS = 5


def _passphrase() -> bytes:
    if value := os.environ.get("MOTCUA_SIGNING_PASSPHRASE"):
        return value.encode()
    key = get_settings().secret_key.encode()
    return hmac.new(key, b"motcua signing key store", hashlib.sha256).hexdigest().encode()


def _write_once(path: Path, data: bytes) -> bool:
    """Write ``path`` unless it exists (atomic: the loser of a race keeps the winner's file)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    try:
        os.link(tmp, path)
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink()


def _name(common: str, org: str = "") -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if org:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, org[:64]))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common[:64]))
    return x509.Name(attrs)


@dataclass(frozen=True, slots=True)
class Credentials:
    """One officer's key and chain, loaded."""

    key: rsa.RSAPrivateKey
    cert: x509.Certificate
    chain: tuple[x509.Certificate, ...]


class SoftwareKeyStore:
    """The folder of keys (see the module docstring)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or get_settings().data_dir / "signing"

    # --- the authority -----------------------------------------------------------------------------

    def _ca(self) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
        private_dir(self.folder)
        cert_path, key_path = self.folder / "ca.pem", self.folder / "ca-key.pem"
        if not cert_path.is_file():
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            now = datetime.now(UTC).replace(microsecond=0)
            name = _name(CA_NAME, "motcua")
            cert = (
                x509.CertificateBuilder()
                .subject_name(name)
                .issuer_name(name)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(days=1))
                .not_valid_after(now + timedelta(days=365 * (CERT_YEARS + 5)))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(
                    x509.KeyUsage(
                        digital_signature=False,
                        content_commitment=False,
                        key_encipherment=False,
                        data_encipherment=False,
                        key_agreement=False,
                        key_cert_sign=True,
                        crl_sign=True,
                        encipher_only=False,
                        decipher_only=False,
                    ),
                    critical=True,
                )
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .sign(key, hashes.SHA256())
            )
            encrypted = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(_passphrase()),
            )
            # The key first: a reader that sees ca.pem always finds its key.
            if _write_once(key_path, encrypted):
                (self.folder / "ca.pem.new").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
                os.replace(self.folder / "ca.pem.new", cert_path)
            else:
                return self._ca()
        try:
            loaded = serialization.load_pem_private_key(key_path.read_bytes(), password=_passphrase())
        except (ValueError, TypeError) as exc:
            raise SigningUnavailable(
                "Không mở được khóa của kho chữ ký số (sai MOTCUA_SIGNING_PASSPHRASE hoặc khóa bí mật đã đổi)."
            ) from exc
        if not isinstance(loaded, rsa.RSAPrivateKey):
            raise SigningUnavailable("Khóa của kho chữ ký số không phải khóa RSA.")
        return loaded, x509.load_pem_x509_certificate(cert_path.read_bytes())

    def root_certificate(self) -> x509.Certificate:
        """The store's root certificate (made on first use)."""
        return self._ca()[1]

    # --- officers ----------------------------------------------------------------------------------

    def credentials(self, signer: SignerRef) -> Credentials:
        """The officer's key and chain, issued by the store's authority on first use."""
        folder = private_dir(self.folder / "signers")
        path = folder / f"{int(signer.user_id)}.p12"
        if not path.is_file():
            ca_key, ca_cert = self._ca()
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            now = datetime.now(UTC).replace(microsecond=0)
            cert = (
                x509.CertificateBuilder()
                .subject_name(_name(signer.full_name or f"Cán bộ {signer.user_id}", signer.agency_name))
                .issuer_name(ca_cert.subject)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - timedelta(days=1))
                .not_valid_after(now + timedelta(days=365 * CERT_YEARS))
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(
                    x509.KeyUsage(
                        digital_signature=True,
                        content_commitment=True,
                        key_encipherment=False,
                        data_encipherment=False,
                        key_agreement=False,
                        key_cert_sign=False,
                        crl_sign=False,
                        encipher_only=False,
                        decipher_only=False,
                    ),
                    critical=True,
                )
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
                .add_extension(
                    x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
                )
                .sign(ca_key, hashes.SHA256())
            )
            blob = pkcs12.serialize_key_and_certificates(
                f"user-{signer.user_id}".encode(),
                key,
                cert,
                [ca_cert],
                serialization.BestAvailableEncryption(_passphrase()),
            )
            _write_once(path, blob)
        try:
            own_key, own_cert, extra = pkcs12.load_key_and_certificates(path.read_bytes(), _passphrase())
        except ValueError as exc:
            raise SigningUnavailable("Không mở được tệp khóa của người ký (sai mật khẩu kho khóa).") from exc
        if not isinstance(own_key, rsa.RSAPrivateKey) or own_cert is None:
            raise SigningUnavailable("Tệp khóa của người ký không có khóa RSA và chứng thư.")
        return Credentials(key=own_key, cert=own_cert, chain=tuple(extra))


def keystore() -> SoftwareKeyStore:
    """The store of this data folder."""
    return SoftwareKeyStore()


class SoftwareSigner:
    """``DocumentSigner`` over the software key store, signing with pyHanko (PAdES B-B)."""

    name = "software"

    def __init__(self, store: SoftwareKeyStore | None = None) -> None:
        self.store = store or keystore()

    def trust_roots(self) -> list[bytes]:
        return [self.store.root_certificate().public_bytes(serialization.Encoding.DER)]

    async def sign_pdf(self, pdf: bytes, signer: SignerRef, *, reason: str, location: str) -> bytes:
        import anyio.to_thread

        creds = await anyio.to_thread.run_sync(self.store.credentials, signer)
        return await pades_sign(pdf, creds, name=signer.full_name, reason=reason, location=location)


async def pades_sign(pdf: bytes, creds: Credentials, *, name: str, reason: str, location: str) -> bytes:
    """Sign ``pdf`` with ``creds`` as a PAdES baseline B-B signature, appended as an incremental update."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    der = serialization.Encoding.DER
    signer = signers.SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(creds.cert.public_bytes(der)),
        signing_key=asn1_keys.PrivateKeyInfo.load(
            creds.key.private_bytes(der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        ),
        cert_registry=SimpleCertificateStore.from_certs(
            [asn1_x509.Certificate.load(c.public_bytes(der)) for c in creds.chain]
        ),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    existing = len(list(fields.enumerate_sig_fields(writer)))
    meta = signers.PdfSignatureMetadata(
        field_name=f"ChuKySo{existing + 1}",
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason[:200] or None,
        location=location[:200] or None,
        name=name[:200] or None,
    )
    out = io.BytesIO()
    await signers.PdfSigner(meta, signer=signer).async_sign_pdf(writer, output=out)
    return out.getvalue()
