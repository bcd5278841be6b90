import { defineConfig, devices } from "@playwright/test";

const port = Number(process.env.E2E_PORT || 3100);
// A second portal, set up by `portal init` on an empty database: the directory journey.
const emptyPort = Number(process.env.E2E_EMPTY_PORT || port + 1);
// A third, with an SMS provider (scripts/fake_aliyun_sms.py on the port after it): the
// journey of texts and codes.
const smsPort = Number(process.env.E2E_SMS_PORT || port + 2);
const fakePort = Number(process.env.E2E_SMS_FAKE_PORT || smsPort + 1);
// The same portal sends WeChat and e-mail: scripts/fake_wechat.py and scripts/fake_smtp.py
// (SMTP and its HTTP side) on the ports after that.
const wechatPort = Number(process.env.E2E_WECHAT_FAKE_PORT || fakePort + 1);
const smtpPort = Number(process.env.E2E_SMTP_PORT || wechatPort + 1);
const smtpHttpPort = Number(process.env.E2E_SMTP_HTTP_PORT || smtpPort + 1);

// Debian's Chromium, never a downloaded browser. The flags keep it from reaching for
// the network, which these machines do not have.
const chromium = {
  executablePath: "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    // A fake camera and microphone, allowed without asking: the video mediation tests.
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
  ],
};

export default defineConfig({
  testDir: "./tests",
  timeout: 30_000,
  retries: 0,
  workers: 2,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    locale: "zh-CN",
    trace: "retain-on-failure",
    launchOptions: chromium,
  },
  projects: [
    // A cheap Android phone: the residents' usual device.
    { name: "phone", use: { ...devices["Pixel 5"], launchOptions: chromium } },
    // The same phone before (or without) WASM: every core page and form must still work.
    { name: "phone-no-js", use: { ...devices["Pixel 5"], launchOptions: chromium, javaScriptEnabled: false } },
  ],
  webServer: [
    {
      command: "../scripts/e2e-server.sh",
      url: `http://127.0.0.1:${port}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: { E2E_PORT: String(port) },
    },
    {
      command: "../scripts/e2e-server.sh",
      url: `http://127.0.0.1:${emptyPort}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: { E2E_PORT: String(emptyPort), E2E_START: "empty" },
    },
    {
      command: `python3 ../scripts/fake_aliyun_sms.py ${fakePort} e2e-key e2e-secret`,
      url: `http://127.0.0.1:${fakePort}/healthz`,
      reuseExistingServer: false,
      timeout: 20_000,
    },
    {
      command: `python3 ../scripts/fake_wechat.py ${wechatPort} wx-e2e wx-e2e-secret`,
      url: `http://127.0.0.1:${wechatPort}/healthz`,
      reuseExistingServer: false,
      timeout: 20_000,
    },
    {
      command: `python3 ../scripts/fake_smtp.py ${smtpPort} ${smtpHttpPort} /tmp/portal-e2e-smtp-${smtpPort}.pem e2e-mail e2e-mail-secret`,
      url: `http://127.0.0.1:${smtpHttpPort}/healthz`,
      reuseExistingServer: false,
      timeout: 20_000,
    },
    {
      command: "../scripts/e2e-server.sh",
      url: `http://127.0.0.1:${smsPort}/healthz`,
      reuseExistingServer: false,
      timeout: 60_000,
      env: {
        E2E_PORT: String(smsPort),
        E2E_START: "sms",
        E2E_SMS_FAKE_PORT: String(fakePort),
        E2E_WECHAT_FAKE_PORT: String(wechatPort),
        E2E_SMTP_PORT: String(smtpPort),
      },
    },
  ],
});
