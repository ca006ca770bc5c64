//! The command line of the instruction-counting bins (`exchange_count`, `warm_count`):
//! `<side> <iterations>`.

use std::process::ExitCode;
use std::str::FromStr;

/// The side and the iteration count from the arguments after the program name, or the
/// exit code after printing `bin`'s usage (`sides` names them) to stderr.
///
/// # Errors
///
/// Exit code 2 when the arguments are not a known side and a whole number.
pub fn side_and_iterations<S: FromStr<Err = String>>(bin: &str, sides: &str) -> Result<(S, u64), ExitCode> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let problem = match args.as_slice() {
        [side, iterations] => match (side.parse::<S>(), iterations.parse::<u64>()) {
            (Ok(side), Ok(n)) => return Ok((side, n)),
            (Err(e), _) => e,
            (_, Err(e)) => format!("iterations: {e}"),
        },
        _ => "two arguments expected".to_owned(),
    };
    eprintln!("{bin}: {problem}\nusage: {bin} <{sides}> <iterations>");
    Err(ExitCode::from(2))
}
