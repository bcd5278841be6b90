import { expect, test } from "./fixtures";

test("home page → a community's page", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveTitle(/首页/);
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await expect(page.getByText("演示数据")).toBeVisible();
  await expect(page.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "首页" })).toHaveAttribute(
    "aria-current",
    "page",
  );
  await page.getByRole("link", { name: /^城东社区/ }).click();
  await expect(page).toHaveURL(/\/communities\/\d+$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("城东社区");
  await expect(page.getByText("城东社区警务室")).toBeVisible();
  await expect(page.getByText("老何调解室·城东分室")).toBeVisible();
  await expect(page.getByRole("heading", { name: "自治互助站" })).toBeVisible();
  await page.getByRole("link", { name: "全部社区" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("社区");
});

test("the bottom navigation reaches every tab", async ({ page }) => {
  await page.goto("/");
  const nav = page.getByRole("navigation", { name: "主导航" });
  for (const [name, path, heading] of [
    ["调解", "/mediation", "你点我调"],
    ["茶楼", "/teahouse", "警事茶楼"],
    ["提示", "/notices", "安全提示"],
    ["我的", "/me", "我的"],
  ]) {
    await nav.getByRole("link", { name }).click();
    await expect(page).toHaveURL(path);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(heading);
    await expect(nav.getByRole("link", { name })).toHaveAttribute("aria-current", "page");
  }
  await expect(page.getByText("老何调解室·后海塘园区分室")).toHaveCount(0);
  await nav.getByRole("link", { name: "调解" }).click();
  await expect(page.getByText("老何调解室·后海塘园区分室")).toBeVisible();
});

test("switch to English and back; the choice persists", async ({ page }) => {
  await page.goto("/communities/1");
  await page.getByRole("button", { name: "English" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page).toHaveURL(/\/communities\/1/);
  await expect(page.getByRole("link", { name: "All communities" })).toBeVisible();
  await page.goto("/");
  await expect(page.getByRole("navigation", { name: "Main navigation" })).toBeVisible();
  await page.getByRole("button", { name: "中文" }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("家警务 · 招宝山派出所");
});

test("large text for elderly eyes", async ({ page }) => {
  await page.goto("/");
  const html = page.locator("html");
  const fontSize = () => html.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  const normal = await fontSize();
  await page.getByRole("button", { name: "大字" }).click();
  await expect(html).toHaveClass(/large/);
  // The switch is a form: the next page, whose stylesheet may still be on its way when the
  // class is already there. Wait for the text to grow rather than read it once.
  await expect.poll(fontSize).toBeGreaterThan(normal * 1.2);
  // The switch goes on to the largest size, then back.
  await expect(page.getByRole("button", { name: "特大字" })).toBeVisible();
  await page.reload();
  await expect(html).toHaveClass(/\blarge\b/);
  await page.getByRole("button", { name: "特大字" }).click();
  await expect(html).toHaveClass(/\blarger\b/);
  await page.getByRole("button", { name: "标准字" }).click();
  await expect(html).not.toHaveClass(/large/);
});

test("a page without an island loads no WASM; a page with one does", async ({ page }, info) => {
  test.skip(info.project.name !== "phone", "what the browser fetches with JavaScript on");
  const bundle: string[] = [];
  page.on("request", (r) => r.url().includes("/pkg/portal.") && !r.url().endsWith(".css") && bundle.push(r.url()));
  await page.goto("/");
  await page.goto("/notices");
  await expect(page.locator("li.notice").first()).toBeVisible();
  expect(bundle).toEqual([]);
  await page.locator("li.notice a").first().click();
  await expect(page.locator(".read-aloud[data-awake]")).toHaveCount(1);
  expect(bundle.some((u) => u.endsWith(".wasm"))).toBe(true);
});

test("the bundle and the stylesheet are named by their contents and kept for a year", async ({ page, request }, info) => {
  test.skip(info.project.name !== "phone", "what the browser fetches with JavaScript on");
  const hashed = /^\/pkg\/portal\.[0-9a-f]{16}\.(css|js|wasm)$/;
  const fetched: string[] = [];
  page.on("request", (r) => new URL(r.url()).pathname.startsWith("/pkg/") && fetched.push(new URL(r.url()).pathname));
  await page.goto("/notices");
  await page.locator("li.notice a").first().click();
  await expect(page.locator(".read-aloud[data-awake]")).toHaveCount(1);
  expect(new Set(fetched.map((path) => path.split(".").pop()))).toEqual(new Set(["css", "js", "wasm"]));
  for (const path of new Set(fetched)) {
    expect(path).toMatch(hashed);
    const response = await request.get(path);
    expect(response.status()).toBe(200);
    expect(response.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");
  }
});

test("an unknown address gets a real 404 page", async ({ page }) => {
  test.info().annotations.push({ type: "expects-404" });
  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByText("没有找到您要的页面。")).toBeVisible();
  await page.getByRole("link", { name: "回到首页" }).click();
  await expect(page).toHaveURL("/");
});
