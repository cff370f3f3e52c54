// Signs a demo user in (password and, where the role needs it, the second factor the demo
// login page lists) and returns the page, for the screenshot scripts.
export async function login(context, base, user) {
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.fill("#username", user);
  await page.fill("#password", "Zhonglou@Demo2026");
  await page.click("button[type=submit]");
  if (page.url().includes("/login/mfa")) {
    const other = await context.newPage();
    await other.goto(`${base}/login`);
    const code = (await other.locator("tr", { hasText: user }).locator("td").nth(2).innerText()).trim();
    await other.close();
    await page.fill("#code", code);
    await page.click("button[type=submit]");
  }
  return page;
}
