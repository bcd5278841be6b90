import { test as base, expect } from "@playwright/test";

export { expect };

// Every test fails on a console error: a CSP violation, a failed island or a broken
// request shows up here first. A test that meets an error status on purpose says so with
// an annotation such as "expects-404".
export const test = base.extend<{ consoleErrors: void }>({
  consoleErrors: [
    async ({ page }, use, info) => {
      const errors: string[] = [];
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      page.on("pageerror", (e) => errors.push(e.message));
      await use();
      const expected = info.annotations
        .filter((a) => a.type.startsWith("expects-"))
        .map((a) => `status of ${a.type.slice("expects-".length)}`);
      expect(errors.filter((e) => !expected.some((status) => e.includes(status)))).toEqual([]);
    },
    { auto: true },
  ],
});
