import { expect, test } from "./fixtures";

// A number of our own per run, so reruns against the same server never collide.
const phone = () => `139${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
const OFFICER = "13900000201";
const DEMO_PASSWORD = "demo-2026-zbs";

async function signIn(page: import("@playwright/test").Page, number: string, password: string) {
  await page.goto("/login");
  await page.locator("input[name=phone]").fill(number);
  await page.locator("input[name=password]").fill(password);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page).toHaveURL("/me");
}

async function signOut(page: import("@playwright/test").Page) {
  await page.goto("/me");
  await page.getByRole("button", { name: "退出登录" }).click();
  await expect(page).toHaveURL("/");
}

test("an officer issues a reset code at the counter; the resident sets a new password at /reset and signs in", async ({
  page,
}) => {
  // A resident who registered and has forgotten the password.
  const number = phone();
  await page.goto("/register");
  await page.locator("input[name=phone]").fill(number);
  await page.locator("input[name=password]").fill("forgotten-password-2026");
  await page.getByLabel("所在社区").selectOption({ label: "总浦桥社区" });
  await page.getByRole("checkbox").check();
  await page.getByRole("button", { name: "注册" }).click();
  await expect(page).toHaveURL(/\/communities\/\d+$/);
  await signOut(page);

  // At the counter: the officer has seen the resident's identity card.
  await signIn(page, OFFICER, DEMO_PASSWORD);
  await page.getByRole("link", { name: "窗口服务" }).click();
  await expect(page).toHaveURL("/counter");
  await page.locator("form[action='/api/counter/reset-code'] input[name=phone]").fill(number);
  await page.getByRole("button", { name: "发放重置码", exact: true }).click();
  await expect(page).toHaveURL("/counter?done=code");
  await expect(page.getByText("重置码已发放，请抄给本人。")).toBeVisible();
  const code = (await page.getByTestId("reset-code").textContent())?.trim() ?? "";
  expect(code).toMatch(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
  await expect(page.getByText(number)).toBeVisible();
  // Shown once: reloading the page shows it no more.
  await page.reload();
  await expect(page.getByTestId("reset-code")).toHaveCount(0);
  await signOut(page);

  // The resident at home, with the slip: a wrong code first, then the right one.
  await page.goto("/login");
  await page.getByRole("link", { name: "重置密码" }).click();
  await expect(page).toHaveURL("/reset");
  await page.locator("input[name=phone]").fill(number);
  await page.locator("input[name=code]").fill("ABCD-EFGH");
  await page.locator("input[name=password]").fill("new-password-from-counter");
  await page.getByRole("button", { name: "设置新密码" }).click();
  await expect(page.getByRole("alert")).toContainText("重置码不对");

  await page.locator("input[name=phone]").fill(number);
  await page.locator("input[name=code]").fill(code.toLowerCase());
  await page.locator("input[name=password]").fill("new-password-from-counter");
  await page.getByRole("button", { name: "设置新密码" }).click();
  await expect(page).toHaveURL("/login?done=reset");
  await expect(page.getByText("新密码已设置，请用新密码登录。")).toBeVisible();

  await page.locator("input[name=phone]").fill(number);
  await page.locator("input[name=password]").fill("new-password-from-counter");
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page).toHaveURL("/me");
  await expect(page.getByTestId("masked-phone")).toHaveText(`${number.slice(0, 3)}****${number.slice(7)}`);
});
