fn main() {
    println!("cargo:rerun-if-changed=dist");
    tauri_build::try_build(
        tauri_build::Attributes::new().capabilities_path_pattern("capabilities/**/*"),
    )
    .expect("failed to run the Tauri build script");
}
