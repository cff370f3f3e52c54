// Logs in as several demo users and saves a screenshot of each page they use, desktop and
// phone size. Usage: node screenshots.mjs http://127.0.0.1:18080 OUT_DIR
// Needs a server started with `serve --demo` and Debian's chromium at /usr/bin/chromium.
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

async function shoot(user, pages, viewport, suffix) {
  const context = await browser.newContext({ viewport, locale: "zh-CN" });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  if (user === "login") {
    await page.screenshot({ path: `${out}/login${suffix}.png`, fullPage: true });
    await context.close();
    return;
  }
  await page.fill("#username", user);
  await page.fill("#password", password);
  await page.click("button[type=submit]");
  if (page.url().includes("/login/mfa")) {
    // Demo mode shows the current code on the login page; read it from there.
    const login = await context.newPage();
    await login.goto(`${base}/login`);
    const row = login.locator("tr", { hasText: user });
    const code = (await row.locator("td").nth(2).innerText()).trim();
    await login.close();
    await page.fill("#code", code);
    await page.click("button[type=submit]");
  }
  for (const [name, path] of pages) {
    if (path.startsWith("first:")) {
      // The first row of a list: a detail page without knowing an id.
      await page.goto(`${base}${path.slice(6)}`);
      await page.locator("table tbody a").first().click();
    } else {
      await page.goto(`${base}${path}`);
    }
    await page.screenshot({ path: `${out}/${user}-${name}${suffix}.png`, fullPage: true });
  }
  await context.close();
}

const desktop = { width: 1366, height: 768 };
const phone = { width: 390, height: 844 };
await shoot("login", [], desktop, "");
await shoot("login", [], phone, "-phone");
await shoot("office01", [["home", "/"], ["org", "/org"], ["people", "/people"], ["new", "/people/new"], ["person", "first:/people"]], desktop, "");
await shoot("squadlead01", [["home", "/"], ["people", "/people"]], desktop, "");
await shoot("officer01", [["parties", "/parties"], ["party-new", "/parties/new?kind=person"], ["org-new", "/parties/new?kind=organisation"]], desktop, "");
await shoot("squadlead01", [["home", "/"], ["people", "/people"], ["person", "first:/people"]], phone, "-phone");
await shoot("leader01", [["cases", "/cases"], ["case", "first:/cases?stage=notified"], ["deadlines", "/cases/deadlines?days=14"], ["items", "/responsibility-list"], ["case-new", "/cases/new?name=%E7%8E%8B"]], desktop, "");
await shoot("legal01", [["simulator", "/simulator?example=compulsory-clearance"], ["case-rules", "/case-rules"]], desktop, "");
await shoot("squadlead01", [["cases", "/cases"], ["case", "first:/cases?stage=decided"], ["spot", "/cases/new?procedure=simple"]], phone, "-phone");
await shoot("squadlead01", [["evidence", "/evidence"], ["evidence-item", "first:/evidence"]], desktop, "");
await shoot("officer01", [["evidence", "/evidence"], ["evidence-item", "first:/evidence"]], phone, "-phone");
await shoot("squadlead01", [["patrols", "/patrols"], ["patrol", "first:/patrols"], ["recording", "/evidence/recording"], ["devices", "/devices"]], desktop, "");
// Each one-time code works once, so every administrator logs in once here.
await shoot("sysadmin", [["accounts", "/admin/accounts"], ["new-account", "/admin/accounts/new"], ["calendar", "/calendar?date=2026-09-30&n=3&mode=workdays"]], desktop, "");
await shoot("secadmin", [["policy", "/security/policy"], ["evidence-deletions", "/evidence/deletions"]], desktop, "");
await shoot("auditadmin", [["audit", "/audit"]], desktop, "");
await browser.close();
console.log(`screenshots in ${out}`);
