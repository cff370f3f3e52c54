//! The `chengguan` binary: parse the command line, run it, map failure to an exit code.

use std::process::ExitCode;

fn main() -> ExitCode {
    chengguan::cli::main()
}
