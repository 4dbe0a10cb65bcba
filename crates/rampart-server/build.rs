// The migrations are embedded by `sqlx::migrate!`; a new file in
// migrations/ must rebuild the crate, which Cargo does not know by itself.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
