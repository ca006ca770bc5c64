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

/// Declares a benchmark's sides: the enum with its variants' docs, `ALL` in report order,
/// `name()` (command lines, criterion ids, the report), `Display` and `FromStr`.
#[macro_export]
macro_rules! sides {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        $vis enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every side, in report order.
            pub const ALL: [$name; [$(stringify!($variant)),+].len()] = [$($name::$variant),+];

            /// The side's name on command lines, in criterion ids and in the report.
            #[must_use]
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $name::ALL.into_iter().find(|side| side.name() == s).ok_or_else(|| {
                    let names: Vec<&str> = $name::ALL.iter().map(|side| side.name()).collect();
                    format!("unknown side {s:?}: one of {}", names.join(", "))
                })
            }
        }
    };
}
