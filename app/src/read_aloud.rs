//! 读给我听: a notice, a case or a thread read aloud by the browser's own speech synthesis,
//! in the page's language, for those who struggle with small characters. Nothing is sent
//! anywhere: the phone's voice reads the text already on the page.
//!
//! The buttons are rendered hidden and appear only once the island finds a voice for the
//! page's language (phones load their voices late, so it also listens for them): without
//! JavaScript, or without a voice, there is nothing to press that would not work.

use leptos::prelude::*;

use crate::i18n::use_i18n;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Reading {
    Idle,
    Speaking,
    Paused,
}

/// "读给我听" for the element `target` (its id), with its labels in the reader's language.
#[component]
pub fn ReadAloud(target: &'static str) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ReadAloudControls
            target=target.to_owned()
            label=i18n.t("read-aloud-label")
            play=i18n.t("read-aloud-play")
            pause=i18n.t("read-aloud-pause")
            resume=i18n.t("read-aloud-resume")
            stop=i18n.t("read-aloud-stop")
        />
    }
}

/// The labels come from the server: translating inside the island would ship the whole
/// catalogue to the browser in the WASM.
#[island]
fn ReadAloudControls(
    target: String,
    label: String,
    play: String,
    pause: String,
    resume: String,
    stop: String,
) -> impl IntoView {
    let (available, set_available) = signal(false);
    let (awake, set_awake) = signal(false);
    let (reading, set_reading) = signal(Reading::Idle);
    // Effects run only in the browser: the mark says the island is awake, even where it
    // found no voice and stays hidden.
    Effect::new(move |_| {
        speech::watch_voices(set_available);
        set_awake.set(true);
    });
    let toggle = move |_| match reading.get_untracked() {
        Reading::Idle => {
            if speech::speak(&target, set_reading) {
                set_reading.set(Reading::Speaking);
            }
        }
        Reading::Speaking => {
            speech::pause();
            set_reading.set(Reading::Paused);
        }
        Reading::Paused => {
            speech::resume();
            set_reading.set(Reading::Speaking);
        }
    };
    let halt = move |_| {
        speech::stop();
        set_reading.set(Reading::Idle);
    };
    on_cleanup(speech::stop);
    view! {
        <div
            class="read-aloud"
            role="group"
            aria-label=label
            hidden=move || !available.get()
            data-awake=move || awake.get().then_some("true")
        >
            <button type="button" class="button read-aloud-toggle" on:click=toggle>
                {move || match reading.get() {
                    Reading::Idle => play.clone(),
                    Reading::Speaking => pause.clone(),
                    Reading::Paused => resume.clone(),
                }}
            </button>
            <button
                type="button"
                class="button secondary read-aloud-stop"
                hidden=move || reading.get() == Reading::Idle
                on:click=halt
            >
                {stop}
            </button>
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod speech {
    use leptos::prelude::*;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{SpeechSynthesis, SpeechSynthesisUtterance, SpeechSynthesisVoice};

    use super::Reading;

    /// A little slower than the default: the readers this is for asked for it.
    const RATE: f32 = 0.9;

    fn synth() -> Option<SpeechSynthesis> {
        web_sys::window()?.speech_synthesis().ok()
    }

    /// The page's language, as `<html lang>` says (zh-CN or en).
    fn language() -> String {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
            .and_then(|e| e.get_attribute("lang"))
            .unwrap_or_else(|| "zh-CN".to_owned())
    }

    /// The voice for `language`: one for the same region if there is one (a Mandarin voice
    /// of the mainland for zh-CN), else any of the same language.
    fn voice(synth: &SpeechSynthesis, language: &str) -> Option<SpeechSynthesisVoice> {
        let wanted = language.to_ascii_lowercase();
        let primary = wanted.split('-').next().unwrap_or_default().to_owned();
        // The list holds voices only; no `instanceof` check, which a stand-in for the
        // browser's synthesis (the tests', an accessibility add-on's) would fail.
        let voices: Vec<SpeechSynthesisVoice> = synth
            .get_voices()
            .iter()
            .map(|v| v.unchecked_into::<SpeechSynthesisVoice>())
            .collect();
        let tag = |v: &SpeechSynthesisVoice| v.lang().replace('_', "-").to_ascii_lowercase();
        voices
            .iter()
            .find(|v| tag(v) == wanted)
            .or_else(|| {
                voices
                    .iter()
                    .find(|v| tag(v).split('-').next() == Some(primary.as_str()))
            })
            .cloned()
    }

    /// Shows the buttons once a voice for the page's language is there.
    pub fn watch_voices(set_available: WriteSignal<bool>) {
        let Some(speaker) = synth() else {
            return;
        };
        let check = move || {
            if let Some(synth) = synth() {
                set_available.set(voice(&synth, &language()).is_some());
            }
        };
        check();
        // Lives as long as the page: the browser may load its voices at any time.
        let changed = Closure::<dyn FnMut()>::new(check);
        speaker.set_onvoiceschanged(Some(changed.as_ref().unchecked_ref()));
        changed.forget();
    }

    /// Starts reading the text of the element `target`; false when there is nothing to read
    /// or no voice to read it with.
    pub fn speak(target: &str, set_reading: WriteSignal<Reading>) -> bool {
        let Some(synth) = synth() else {
            return false;
        };
        let language = language();
        let text = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(target))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            .map(|e| e.inner_text())
            .unwrap_or_default();
        let (Some(voice), false) = (voice(&synth, &language), text.trim().is_empty()) else {
            return false;
        };
        let Ok(utterance) = SpeechSynthesisUtterance::new_with_text(&text) else {
            return false;
        };
        utterance.set_lang(&language);
        utterance.set_voice(Some(&voice));
        utterance.set_rate(RATE);
        // Ending a reading to start another ends the first one late: only the end of the
        // last one means the reading is over.
        let done = Closure::once_into_js(move || {
            if !synth_speaking() {
                set_reading.set(Reading::Idle);
            }
        });
        utterance.set_onend(Some(done.unchecked_ref()));
        synth.cancel();
        synth.speak(&utterance);
        true
    }

    fn synth_speaking() -> bool {
        synth().is_some_and(|s| s.speaking())
    }

    pub fn pause() {
        if let Some(synth) = synth() {
            synth.pause();
        }
    }

    pub fn resume() {
        if let Some(synth) = synth() {
            synth.resume();
        }
    }

    pub fn stop() {
        if let Some(synth) = synth() {
            synth.cancel();
        }
    }
}

/// On the server the island only renders: there is nothing to read aloud there.
#[cfg(not(feature = "hydrate"))]
mod speech {
    use leptos::prelude::WriteSignal;

    use super::Reading;

    pub fn watch_voices(_set_available: WriteSignal<bool>) {}
    pub fn speak(_target: &str, _set_reading: WriteSignal<Reading>) -> bool {
        false
    }
    pub fn pause() {}
    pub fn resume() {}
    pub fn stop() {}
}
