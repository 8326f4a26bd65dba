"""Form engine: render FieldSpecs, parse and validate answers, check answers.

Messages are Vietnamese and attached to the field that caused them."""
