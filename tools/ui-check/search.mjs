// Screenshots of the case list's search (desktop and phone): a two-character party name, a part
// of a title, and one character, each through the search box as staff type it.
// Usage: node search.mjs http://127.0.0.1:18080 OUT_DIR "NAME" (a server started with --demo).
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { login as demoLogin } from "./demo-login.mjs";

const base = process.argv[2] ?? "http://127.0.0.1:18080";
const out = process.argv[3] ?? "screenshots";
const queries = process.argv.slice(4);
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });

for (const [viewport, suffix] of [[{ width: 1366, height: 768 }, ""], [{ width: 390, height: 844 }, "-phone"]]) {
  const context = await browser.newContext({ viewport, locale: "zh-CN" });
  const page = await demoLogin(context, base, "squadlead01");
  for (const [i, q] of queries.entries()) {
    await page.goto(`${base}/cases`);
    await page.fill("input[name=q]", q);
    await Promise.all([page.waitForNavigation(), page.press("input[name=q]", "Enter")]);
    await page.screenshot({ path: `${out}/case-search-${i}${suffix}.png`, fullPage: true });
  }
  await context.close();
}
await browser.close();
