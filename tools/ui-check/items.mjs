// Screenshots of the responsibility list as the legal office keeps it: the list with its edit
// links, an item's edit page with its discretion bands, and the same page refusing a band that
// leaves the statutory range (desktop and phone), then a lighter range saved and the page's
// range history (desktop), and a squad's case showing the range and bands that apply.
// Usage: node items.mjs http://127.0.0.1:18080 OUT_DIR (a server started with --demo).
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
  const page = await login(context, "legal01");
  await page.goto(`${base}/responsibility-list`);
  await page.screenshot({ path: `${out}/items-list${suffix}.png`, fullPage: true });
  await page.goto(`${base}/responsibility-list/ZL-ZD-001/edit`);
  await page.screenshot({ path: `${out}/item-edit${suffix}.png`, fullPage: true });
  // A band above the statutory maximum: refused with its article, the rows as typed.
  await page.locator("input[name=band_org_max]").nth(2).fill("30000");
  await Promise.all([page.waitForNavigation(), page.click("form.form-grid button[type=submit]")]);
  await page.screenshot({ path: `${out}/item-edit-error${suffix}.png`, fullPage: true });
  if (suffix === "") {
    // A lighter citizens' range from today on: saved, then listed in the range history.
    await page.goto(`${base}/responsibility-list/ZL-ZD-001/edit`);
    await page.fill("input[name=fine_max_person]", "10000");
    await page.locator("input[name=band_person_max]").nth(2).fill("10000");
    await Promise.all([page.waitForNavigation(), page.click("form.form-grid button[type=submit]")]);
    await page.goto(`${base}/responsibility-list/ZL-ZD-001/edit`);
    await page.screenshot({ path: `${out}/item-edit-history.png`, fullPage: true });
  }
  // A squad's case on this item at a step with a fine: the range that applies and the bands
  // of the same version beside the fine field.
  const squad = await login(await browser.newContext({ viewport, locale: "zh-CN" }), "squadlead01");
  await squad.goto(`${base}/cases?q=${encodeURIComponent("擅自占用城市道路设摊经营")}`);
  const links = await squad.locator("a[href^='/cases/']").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  for (const href of links) {
    await squad.goto(`${base}${href}`);
    const bands = squad.locator("ul.bands");
    if ((await bands.count()) > 0) {
      const step = squad.locator("details:has(ul.bands) > summary").first();
      if ((await step.count()) > 0) await step.click();
      await bands.first().scrollIntoViewIfNeeded();
      await squad.screenshot({ path: `${out}/case-fine-bands${suffix}.png` });
      break;
    }
  }
  await context.close();
}
await browser.close();
