#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| xuetang_fuzz::content(data));
