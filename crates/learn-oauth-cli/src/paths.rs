//! The XDG base directories the CLI uses.

use std::ffi::OsString;
use std::path::PathBuf;

/// `$VAR` when it is set to an absolute path (the XDG spec ignores a relative one), else
/// `$HOME/fallback`; `None` when neither is set.
#[must_use]
pub(crate) fn xdg_dir(env: &dyn Fn(&str) -> Option<OsString>, var: &str, fallback: &str) -> Option<PathBuf> {
    env(var)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| home(env).map(|home| home.join(fallback)))
}

/// `$HOME`, when set and not empty.
#[must_use]
pub(crate) fn home(env: &dyn Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    env("HOME").filter(|h| !h.is_empty()).map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relative_xdg_directory_is_ignored_for_home() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| OsString::from(v))
            }
        };
        let absolute = env(&[("XDG_CACHE_HOME", "/x/cache"), ("HOME", "/home/u")]);
        assert_eq!(
            xdg_dir(&absolute, "XDG_CACHE_HOME", ".cache"),
            Some("/x/cache".into())
        );
        let relative = env(&[("XDG_CACHE_HOME", "cache"), ("HOME", "/home/u")]);
        assert_eq!(
            xdg_dir(&relative, "XDG_CACHE_HOME", ".cache"),
            Some("/home/u/.cache".into())
        );
        assert_eq!(xdg_dir(&env(&[]), "XDG_CACHE_HOME", ".cache"), None);
    }
}
