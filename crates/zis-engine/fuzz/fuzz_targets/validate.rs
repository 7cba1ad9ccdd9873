//! Fuzz the parser, the writer and the validator with arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use zis_engine::document::Document;
use zis_engine::validate::{self, Mode, Options};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for mode in [Mode::Zis, Mode::Asl] {
        let options = Options { mode, express: false };
        let _ = validate::validate_bundle_text(&text, options);
        let _ = validate::validate_definition_text(&text, options);
    }
    if let Ok(doc) = Document::parse(text.as_ref()) {
        assert_eq!(doc.render(), text);
    }
});
