//! `SKIP_POSTGRES=1` compiles the PostgreSQL tests as ignored (`cfg(skip_postgres)`), so that
//! libtest's summary counts them as such; without it, a PostgreSQL test that has no server to
//! run on (`TEST_DATABASE_URL`) fails instead of passing without having run.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(skip_postgres)");
    println!("cargo::rerun-if-env-changed=SKIP_POSTGRES");
    if std::env::var_os("SKIP_POSTGRES").is_some_and(|v| v == "1") {
        println!("cargo::rustc-cfg=skip_postgres");
    }
}
