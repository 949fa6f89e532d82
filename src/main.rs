mod alloc;

fn main() {
    std::process::exit(factls::cli::main())
}
