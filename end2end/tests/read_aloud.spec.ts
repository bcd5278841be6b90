import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures";

// 读给我听: the phone's own voice reads a notice. Chromium here has no voices, so the page
// meets a stand-in for the browser's speech synthesis with the voices a phone would list,
// and the test reads what was handed to it.

async function fakeSpeech(page: Page, voices: { lang: string; name: string }[]) {
  await page.addInitScript((listed) => {
    const spoken: { text: string; lang: string; rate: number; voice: string }[] = [];
    let current: { onend: ((e: Event) => void) | null } | null = null;
    let paused = false;
    const end = () => {
      const finished = current;
      current = null;
      finished?.onend?.(new Event("end"));
    };
    const synth = {
      onvoiceschanged: null,
      getVoices: () =>
        listed.map((v) =>
          Object.create(SpeechSynthesisVoice.prototype, {
            lang: { value: v.lang },
            name: { value: v.name },
          }),
        ),
      speak(u: { text: string; lang: string; rate: number; voice: { name: string }; onend: null }) {
        spoken.push({ text: u.text, lang: u.lang, rate: u.rate, voice: u.voice?.name });
        current = u;
        paused = false;
      },
      pause: () => (paused = true),
      resume: () => (paused = false),
      cancel: end,
      get speaking() {
        return current !== null;
      },
      get paused() {
        return paused;
      },
    };
    Object.defineProperty(window, "speechSynthesis", { value: synth, configurable: true });
    (window as unknown as Record<string, unknown>).SpeechSynthesisUtterance = class {
      text: string;
      lang = "";
      rate = 1;
      voice = null;
      onend = null;
      constructor(text: string) {
        this.text = text;
      }
    };
    Object.assign(window, { spoken, finishSpeaking: end, isPaused: () => paused });
  }, voices);
}

async function openFirstNotice(page: Page) {
  await page.goto("/notices");
  await page.locator("li.notice a").first().click();
  await expect(page).toHaveURL(/\/notices\/\d+$/);
  // The island marks itself once it is awake (hidden or not).
  await expect(page.locator(".read-aloud[data-awake]")).toHaveCount(1);
}

test("a notice is read aloud in Chinese, paused, resumed and stopped", async ({ page }, info) => {
  test.skip(info.project.name !== "phone", "reading aloud needs JavaScript");
  await fakeSpeech(page, [
    { lang: "en-US", name: "English" },
    { lang: "zh_CN", name: "普通话" },
  ]);
  await openFirstNotice(page);
  const title = (await page.getByRole("heading", { level: 1 }).textContent()) ?? "";
  const read = page.getByRole("button", { name: "🔊 读给我听" });
  await expect(read).toBeVisible();
  await expect(page.getByRole("button", { name: "停止" })).toBeHidden();
  const box = await read.boundingBox();
  expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);

  await read.click();
  const spoken = await page.evaluate(() => (window as unknown as { spoken: { text: string; lang: string; rate: number; voice: string }[] }).spoken);
  expect(spoken).toHaveLength(1);
  expect(spoken[0].text).toContain(title.trim());
  expect(spoken[0].lang).toBe("zh-CN");
  expect(spoken[0].voice).toBe("普通话");
  expect(spoken[0].text).not.toContain("读给我听");

  await page.getByRole("button", { name: "暂停" }).click();
  expect(await page.evaluate(() => (window as unknown as { isPaused: () => boolean }).isPaused())).toBe(true);
  await page.getByRole("button", { name: "继续" }).click();
  expect(await page.evaluate(() => (window as unknown as { isPaused: () => boolean }).isPaused())).toBe(false);
  await page.getByRole("button", { name: "停止" }).click();
  await expect(read).toBeVisible();
  await expect(page.getByRole("button", { name: "停止" })).toBeHidden();

  // Read to the end, the button is ready to read again.
  await read.click();
  await page.evaluate(() => (window as unknown as { finishSpeaking: () => void }).finishSpeaking());
  await expect(read).toBeVisible();
});

test("without a voice for the page's language there is no button to press", async ({ page }, info) => {
  test.skip(info.project.name !== "phone", "reading aloud needs JavaScript");
  await fakeSpeech(page, [{ lang: "en-US", name: "English" }]);
  await openFirstNotice(page);
  await expect(page.locator(".read-aloud")).toBeHidden();
  await expect(page.getByRole("button", { name: "🔊 读给我听" })).toHaveCount(0);
});

test("without JavaScript the page shows no button that could not work", async ({ page }, info) => {
  test.skip(info.project.name !== "phone-no-js", "the page as it comes from the server");
  await page.goto("/notices");
  await page.locator("li.notice a").first().click();
  await expect(page.locator(".read-aloud")).toBeHidden();
});
