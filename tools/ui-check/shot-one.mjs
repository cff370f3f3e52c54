// Logs in as one demo user, opens one path, optionally clicks a selector, and saves a
// screenshot. Usage: node shot-one.mjs BASE USER PATH OUT.png [WIDTH] [CLICK_SELECTOR] [SUBMIT_SELECTOR]
import { chromium } from "playwright-core";
import { login } from "./demo-login.mjs";

const [base, user, path, out, width = "1280", click = "", submit = ""] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const context = await browser.newContext({ viewport: { width: Number(width), height: 900 }, locale: "zh-CN" });
const page = await login(context, base, user);
await page.goto(`${base}${path}`);
if (click) await page.click(click);
if (submit) {
  await Promise.all([page.waitForLoadState("load"), page.click(submit)]);
  await page.waitForTimeout(300);
}
await page.screenshot({ path: out, fullPage: true });
await browser.close();
