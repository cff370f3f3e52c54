// The security pages: the 系统管理员 asks for an account, the office grants it, an officer
// enrols a second factor, a party's file without its birth date. Desktop and phone.
// Usage: node security.mjs http://127.0.0.1:18080 OUT_DIR (a server started with `serve --demo`).
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const base = process.argv[2] ?? "http://127.0.0.1:18080";
const out = process.argv[3] ?? "screenshots";
mkdirSync(out, { recursive: true });
const password = "Zhonglou@Demo2026";
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});

async function signIn(user, viewport) {
  const context = await browser.newContext({ viewport, locale: "zh-CN" });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.fill("#username", user);
  await page.fill("#password", password);
  await page.click("button[type=submit]");
  if (page.url().includes("/login/mfa")) {
    const login = await context.newPage();
    await login.goto(`${base}/login`);
    const code = (await login.locator("tr", { hasText: user }).locator("td").nth(2).innerText()).trim();
    await login.close();
    await page.fill("#code", code);
    await page.click("button[type=submit]");
  }
  return { context, page };
}

const desktop = { width: 1366, height: 768 };
const phone = { width: 390, height: 844 };
const stamp = Date.now().toString().slice(-5);

{
  const { context, page } = await signIn("sysadmin", desktop);
  await page.goto(`${base}/admin/accounts/new`);
  await page.fill("#username", `zhang${stamp}`);
  await page.fill("#display_name", "张伟");
  await page.check("input[name=roles][value=officer]");
  await Promise.all([page.waitForNavigation(), page.click("form[action='/admin/accounts'] button[type=submit]")]);
  await page.screenshot({ path: `${out}/sysadmin-account-requested.png`, fullPage: true });
  await context.close();
}
for (const [viewport, suffix] of [[desktop, ""], [phone, "-phone"]]) {
  const { context, page } = await signIn("office01", viewport);
  await page.goto(`${base}/admin/account-grants`);
  await page.screenshot({ path: `${out}/office-grants${suffix}.png`, fullPage: true });
  if (suffix === "") {
    page.once("dialog", (d) => d.accept());
    await Promise.all([page.waitForNavigation(), page.locator("form[action$='/grant'] button").first().click()]);
    await page.screenshot({ path: `${out}/office-granted.png`, fullPage: true });
  }
  await context.close();
}
for (const [viewport, suffix] of [[desktop, ""], [phone, "-phone"]]) {
  const { context, page } = await signIn("officer01", viewport);
  await page.goto(`${base}/account/mfa`);
  await page.screenshot({ path: `${out}/officer-mfa${suffix}.png`, fullPage: true });
  await page.goto(`${base}/parties`);
  await page.locator("table tbody a").first().click();
  await page.screenshot({ path: `${out}/officer-party${suffix}.png`, fullPage: true });
  await context.close();
}
await browser.close();
