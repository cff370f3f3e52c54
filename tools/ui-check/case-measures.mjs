// Screenshots of the case pages with orders and compulsory measures, as the squad leader who
// handles them: the billboard case with its 代履行 (the performance form opened) and the
// street-vending case with its seizure, and the illegal building awaiting the head's written
// 强制执行决定 (as the head), desktop and phone.
// Usage: node case-measures.mjs http://127.0.0.1:18080 OUT_DIR (a server started with --demo).
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { login as demoLogin } from "./demo-login.mjs";

const base = process.argv[2] ?? "http://127.0.0.1:18080";
const out = process.argv[3] ?? "screenshots";
mkdirSync(out, { recursive: true });
const login = (context, user) => demoLogin(context, base, user);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });

for (const [viewport, suffix] of [[{ width: 1366, height: 768 }, ""], [{ width: 390, height: 844 }, "-phone"]]) {
  const context = await browser.newContext({ viewport, locale: "zh-CN" });
  const pages = { squadlead01: await login(context, "squadlead01"), leader01: await login(await browser.newContext({ viewport, locale: "zh-CN" }), "leader01") };
  for (const [user, name, title, stage, open] of [
    ["squadlead01", "substitute", "擅自设置大型户外广告", "investigation", ["实施代履行"]],
    ["squadlead01", "seizure", "擅自占用城市道路设摊经营", "investigation", ["查封扣押处理（解除、没收或销毁）", "责令（限期）改正"]],
    ["leader01", "enforcement", "屋顶违法搭建彩钢板房", "", ["强制执行决定"]],
  ]) {
    const page = pages[user];
    await page.goto(`${base}/cases?q=${encodeURIComponent(title)}&stage=${stage}`);
    await page.locator("table tbody tr", { hasText: title }).locator("a").first().click();
    for (const step of open) {
      const summary = page.locator("summary", { hasText: step });
      if (await summary.count()) await summary.first().click();
    }
    await page.screenshot({ path: `${out}/case-${name}${suffix}.png`, fullPage: true });
  }
  await context.close();
}
await browser.close();
