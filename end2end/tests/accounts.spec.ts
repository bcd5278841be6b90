import { readFile } from "node:fs/promises";
import { expect, test } from "./fixtures";

// A number of our own per run, so reruns against the same server never collide.
const phone = () => `139${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
const password = "haitian-xiongzhen-2026";

test("register → sign in → my community → masked phone → my data → sign out", async ({ page }) => {
  const number = phone();
  await page.goto("/register");
  await page.locator("input[name=phone]").fill(number);
  await page.locator("input[name=password]").fill(password);
  await page.getByLabel("所在社区").selectOption({ label: "城东社区" });
  await page.getByLabel("所在小区").selectOption({ label: "听涛花园" });
  await page.getByRole("checkbox").check();
  await page.getByRole("button", { name: "注册" }).click();

  // Registration signs in and shows the resident their community.
  await expect(page).toHaveURL(/\/communities\/\d+$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("城东社区");

  // Sign out, then back in with the new account.
  await page.goto("/me");
  await page.getByRole("button", { name: "退出登录" }).click();
  await expect(page).toHaveURL("/");
  await page.goto("/login");
  await page.locator("input[name=phone]").fill(number);
  await page.locator("input[name=password]").fill(password);
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page).toHaveURL("/me");

  const masked = `${number.slice(0, 3)}****${number.slice(7)}`;
  await expect(page.getByTestId("masked-phone")).toHaveText(masked);
  await expect(page.getByText(number)).toHaveCount(0);
  await page.getByRole("link", { name: "城东社区" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("城东社区");
  await page.goto("/me");

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "下载我的数据" }).click();
  const file = await (await download).path();
  const data = JSON.parse(await readFile(file, "utf8"));
  expect(data.account.phone).toBe(number);
  expect(data.account.community).toBe("城东社区");
  expect(data.consent.privacy_notice_version).toBeTruthy();

  await page.getByRole("button", { name: "退出登录" }).click();
  await page.goto("/me");
  await expect(page.getByText("登录后可以预约调解")).toBeVisible();
});

test("a wrong password and a weak one are explained", async ({ page }) => {
  await page.goto("/register");
  await page.locator("input[name=phone]").fill(phone());
  await page.locator("input[name=password]").fill("12345678");
  await page.getByLabel("所在社区").selectOption({ label: "总浦桥社区" });
  await page.getByRole("checkbox").check();
  await page.getByRole("button", { name: "注册" }).click();
  await expect(page.getByRole("alert")).toHaveText("这个密码太容易被猜到，请换一个。");

  await page.goto("/login");
  await page.locator("input[name=phone]").fill(phone());
  await page.locator("input[name=password]").fill("not-the-password");
  await page.getByRole("button", { name: "登录" }).click();
  await expect(page.getByRole("alert")).toHaveText("手机号或密码不对，请再试一次。");
});
