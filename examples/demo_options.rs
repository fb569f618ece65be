//! Options every example accepts, so that tests and the screenshot script can drive them:
//! `--quit-after 2s` quits the application, `--click-after 300ms` clicks the example's main
//! button as a user would, `--cancel-after 1s` clicks its Cancel button (where it has one),
//! `--screenshot PATH` saves the window as PNG just before quitting.

use std::time::Duration;

use qtasync::{get_running_loop, ObjectRef};

use crate::widgets::{self, QPushButton, Window};

/// Parsed example options.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DemoOptions {
    /// Quit the application after this long.
    pub quit_after: Option<Duration>,
    /// Click the main button after this long.
    pub click_after: Option<Duration>,
    /// Click the Cancel button after this long (examples that have one).
    pub cancel_after: Option<Duration>,
    /// Save the window as PNG here before quitting.
    pub screenshot: Option<String>,
}

/// A duration such as `"300ms"`, `"2s"` or `"1.5s"`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, scale) = if let Some(ms) = text.strip_suffix("ms") {
        (ms, 0.001)
    } else if let Some(s) = text.strip_suffix('s') {
        (s, 1.0)
    } else {
        return Err(format!("{text:?} is not a duration such as 300ms or 2s"));
    };
    let value: f64 = number.parse().map_err(|_| format!("{text:?} is not a duration"))?;
    if !(value.is_finite() && value >= 0.0) {
        return Err(format!("{text:?} is not a positive duration"));
    }
    Ok(Duration::from_secs_f64(value * scale))
}

impl DemoOptions {
    /// Parses `args` (without the program name).
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let mut options = DemoOptions::default();
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
            match arg.as_str() {
                "--quit-after" => options.quit_after = Some(parse_duration(&value()?)?),
                "--click-after" => options.click_after = Some(parse_duration(&value()?)?),
                "--cancel-after" => options.cancel_after = Some(parse_duration(&value()?)?),
                "--screenshot" => options.screenshot = Some(value()?),
                other => {
                    return Err(format!(
                        "unknown argument {other:?}; the examples take --quit-after 2s, \
                         --click-after 300ms, --cancel-after 1s, --screenshot PATH"
                    ))
                }
            }
        }
        Ok(options)
    }

    /// The program's options; exits with a message on a bad argument.
    pub fn from_env() -> Self {
        DemoOptions::parse(std::env::args().skip(1)).unwrap_or_else(|error| {
            eprintln!("{error}");
            std::process::exit(2)
        })
    }

    /// Schedules the click of `cancel` that `--cancel-after` asks for.
    pub fn schedule_cancel(&self, cancel: &ObjectRef<QPushButton>) {
        let event_loop = get_running_loop().expect("examples run on a qtasync loop");
        if let Some(delay) = self.cancel_after {
            let cancel = cancel.clone();
            let _ = event_loop.call_later(delay, move || widgets::click(&cancel));
        }
    }

    /// Schedules the click, the screenshot and the quit on the running loop.
    pub fn schedule(&self, window: &Window, button: Option<&ObjectRef<QPushButton>>) {
        let event_loop = get_running_loop().expect("examples run on a qtasync loop");
        if let (Some(delay), Some(button)) = (self.click_after, button) {
            let button = button.clone();
            let _ = event_loop.call_later(delay, move || widgets::click(&button));
        }
        if let Some(delay) = self.quit_after {
            let screenshot = self.screenshot.clone();
            let window = window.handle();
            let _ = event_loop.call_later(delay, move || {
                if let Some(path) = screenshot {
                    if !widgets::save_png(&window, &path) {
                        eprintln!("could not save {path}");
                    }
                }
                qtasync::quit_application();
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_options_and_rejects_bad_ones() {
        let options = DemoOptions::parse(
            [
                "--quit-after",
                "2s",
                "--click-after",
                "300ms",
                "--cancel-after",
                "1s",
                "--screenshot",
                "a.png",
            ]
            .map(String::from),
        )
        .unwrap();
        assert_eq!(options.quit_after, Some(Duration::from_secs(2)));
        assert_eq!(options.click_after, Some(Duration::from_millis(300)));
        assert_eq!(options.cancel_after, Some(Duration::from_secs(1)));
        assert_eq!(options.screenshot.as_deref(), Some("a.png"));
        assert_eq!(parse_duration("1.5s").unwrap(), Duration::from_millis(1500));
        assert!(DemoOptions::parse(["--quit-after".to_owned()]).is_err());
        assert!(DemoOptions::parse(["--fast".to_owned()]).is_err());
        assert!(parse_duration("2h").is_err());
        assert!(parse_duration("-1s").is_err());
    }
}
