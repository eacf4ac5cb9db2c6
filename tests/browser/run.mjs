// run.mjs — browser tests of the portal: playwright-core drives Debian's
// chromium (headless) against a running `healthqa serve` over the fixtures
// of tests/fixtures/server.  Prints TAP ("ok N - name"); screenshots go
// to $HQ_SCREENSHOTS (build/screenshots).  Started by tests/e2e/browser.sh,
// which sets HQ_BASE to the server's address.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const BASE = process.env.HQ_BASE;
const SHOTS = process.env.HQ_SCREENSHOTS || "build/screenshots";
const CHROMIUM = process.env.HQ_CHROMIUM || "/usr/bin/chromium";
mkdirSync(SHOTS, { recursive: true });

let n = 0;
let failed = 0;
function ok(cond, name, detail) {
  n++;
  if (cond) {
    console.log(`ok ${n} - ${name}`);
  } else {
    failed++;
    console.log(`not ok ${n} - ${name}`);
    if (detail !== undefined) console.log(`#   ${String(detail).split("\n").join("\n#   ")}`);
  }
}
// Runs one scenario; an exception fails it (with the message) and the rest go on.
async function scenario(name, fn) {
  try {
    await fn();
  } catch (e) {
    ok(false, `${name} (threw)`, e && e.stack ? e.stack.split("\n").slice(0, 4).join("\n") : e);
  }
}

let browser;
try {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage"],
  });
} catch (e) {
  ok(false, `chromium starts (${CHROMIUM})`, e.message);
  console.log(`1..${n}`);
  process.exit(1);
}
ok(true, `chromium starts (${browser.version()})`);

const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await desktop.newPage();
const dialogs = [];
page.on("dialog", async (d) => {
  dialogs.push(d.message());
  await d.dismiss();
});

await scenario("search", async () => {
  await page.goto(`${BASE}/`);
  ok((await page.title()).includes("healthqa"), "home page loads");
  await page.getByLabel("Ask a health question").fill("back pain after an IUD");
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/search\?q=/);
  const items = page.locator("ol.results > li");
  ok((await items.count()) >= 3, "a back-pain question gives results", await items.count());
  const first = await items.first().locator("h2").innerText();
  ok(/IUD/.test(first), "the first result is about the IUD", first);
  ok((await page.locator("ol.results mark").count()) > 0, "snippets highlight the words");
  ok((await page.locator(".badge").count()) > 0, "results show trust badges");
  await page.screenshot({ path: `${SHOTS}/search-desktop.png`, fullPage: true });
});

await scenario("answer card", async () => {
  await page.goto(`${BASE}/search?q=back+pain+after+IUD+insertion`);
  const card = page.locator("section.card");
  ok((await card.count()) === 1, "a back-pain question shows the answer card");
  ok((await card.locator("figure.passage").count()) >= 2, "the card quotes passages",
    await card.locator("figure.passage").count());
  const headings = await card.locator("h3").allInnerTexts();
  ok(headings.includes("What it is"), "passages are grouped by aspect", headings.join(" | "));
  ok((await card.locator(".cites .badge").count()) > 0, "every passage cites its source with a trust badge");
  const cardBox = await card.boundingBox();
  const resultsBox = await page.locator("ol.results").boundingBox();
  ok(cardBox && resultsBox && cardBox.y < resultsBox.y, "the card comes before the results");
  ok((await card.locator(".notice").innerText()).includes("not a diagnosis"), "the card says it is not a diagnosis");
  await page.screenshot({ path: `${SHOTS}/card-desktop.png`, fullPage: true });
});

await scenario("emergency banner", async () => {
  await page.goto(`${BASE}/search?q=I+am+7+weeks+pregnant+with+heavy+bleeding`);
  const banner = page.locator(".banner-emergency[role=alert]");
  ok((await banner.count()) === 1, "an emergency question shows the emergency banner");
  ok(/Emergency/.test(await banner.innerText()), "the banner says Emergency in words");
  const first = await page.evaluate(() => document.querySelector("main").firstElementChild.className);
  ok(first.includes("banner-emergency"), "the banner is the first thing in the page's content", first);
  const bannerBox = await banner.boundingBox();
  const h1Box = await page.locator("h1").boundingBox();
  ok(bannerBox && h1Box && bannerBox.y < h1Box.y, "the banner is above the heading and the results");
  const colours = await banner.evaluate((el) => {
    const s = getComputedStyle(el);
    return [s.backgroundColor, s.color];
  });
  ok(colours[0] !== colours[1] && colours[0] !== "rgba(0, 0, 0, 0)", "the banner has its own colours", colours.join(" on "));
  await page.screenshot({ path: `${SHOTS}/emergency-desktop.png`, fullPage: true });
  await page.goto(`${BASE}/search?q=back+pain+exercises`);
  ok((await page.locator(".banner-emergency").count()) === 0, "a question without red flags has no emergency banner");
});

await scenario("article navigation", async () => {
  await page.goto(`${BASE}/search?q=how+long+does+back+pain+last+after+a+miscarriage`);
  await page.locator("ol.results > li h2 a", { hasText: "miscarriage" }).first().click();
  await page.waitForURL(/\/articles\/page%3A011_miscarriage_back_pain/);
  ok(
    (await page.locator("h1").innerText()).includes("miscarriage"),
    "a result opens its article",
  );
  await page.screenshot({ path: `${SHOTS}/article-desktop.png`, fullPage: true });
  await page.locator('a[rel="next"]').click();
  await page.waitForURL(/012_pregnancy_back_pain/);
  ok((await page.locator("h1").innerText()).includes("pregnancy"), "next leads to the next page");
  await page.locator('a[rel="prev"]').click();
  await page.waitForURL(/011_miscarriage_back_pain/);
  ok(true, "previous leads back");
  await page.locator('a[rel="prev"]').click();
  await page.waitForURL(/010_iud_back_pain/);
  ok((await page.locator("h1").innerText()).includes("IUD"), "previous again reaches the first page");
  // its own previous page is not in the collection: the previous article on the topic instead
  const prevNav = await page.locator("nav.prevnext div").first().innerText();
  ok(/Previous on this topic/.test(prevNav), "an unresolved previous page falls back to the topic", prevNav);
  const prevTitle = await page.locator('a[rel="prev"]').innerText();
  await page.locator('a[rel="prev"]').click();
  await page.waitForURL(/\/articles\//);
  ok((await page.locator("h1").innerText()) === prevTitle, "the topic's previous article opens", prevTitle);
});

await scenario("related articles", async () => {
  await page.goto(`${BASE}/articles/page:011_miscarriage_back_pain`);
  const related = page.locator("section.related");
  ok((await related.locator("h2").innerText()) === "Related articles", "the article lists related articles");
  const items = related.locator("li");
  ok((await items.count()) >= 1, "at least one related article", await items.count());
  ok((await related.locator(".badge").count()) === (await items.count()), "each with a trust badge");
  const why = await related.locator(".why").first().innerText();
  ok(/same focus|named in this article|MeSH branch|similar text/.test(why), "each says why", why);
  ok(!/Recommended on the source page/.test(await page.content()), "the page's own Recommend list is gone");
  const link = related.locator('a[rel="related"]').first();
  const title = await link.innerText();
  await link.click();
  await page.waitForURL(/\/articles\//);
  ok((await page.locator("h1").innerText()) === title, "a related link opens that article", title);
  await page.screenshot({ path: `${SHOTS}/related-desktop.png`, fullPage: true });
});

await scenario("hostile page", async () => {
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  for (const path of ["/articles/page:013_hostile", "/articles/topic:2", "/search?q=hostile+script+alert", "/search?q=diabetes"]) {
    await page.goto(`${BASE}${path}`);
    await page.waitForTimeout(300);
    const dom = await page.evaluate(() => ({
      scripts: document.querySelectorAll("script").length,
      imgs: document.querySelectorAll("img").length,
      handlers: [...document.querySelectorAll("*")].filter((el) =>
        [...el.attributes].some((a) => a.name.startsWith("on"))).length,
      jsLinks: document.querySelectorAll('a[href^="javascript:" i]').length,
      title: document.title,
    }));
    ok(dom.scripts === 0 && dom.imgs === 0 && dom.handlers === 0 && dom.jsLinks === 0,
      `${path}: no script, img, handler or javascript: link in the DOM`, JSON.stringify(dom));
    ok(!dom.title.includes("pwned"), `${path}: no script ran`, dom.title);
  }
  await page.goto(`${BASE}/articles/page:013_hostile`);
  const h1 = await page.locator("h1").innerText();
  ok(h1.includes("<script>alert(1)</script>"), "the hostile title is shown as text", h1);
  await page.screenshot({ path: `${SHOTS}/hostile-desktop.png`, fullPage: true });
  ok(dialogs.length === 0, "no dialog fired", dialogs.join(", "));
  ok(errors.length === 0, "no page error", errors.join(", "));
});

await scenario("accessibility basics", async () => {
  for (const path of ["/", "/search?q=back+pain", "/articles/page:011_miscarriage_back_pain", "/nowhere"]) {
    await page.goto(`${BASE}${path}`);
    const a = await page.evaluate(() => {
      const levels = [...document.querySelectorAll("h1,h2,h3,h4,h5,h6")].map((h) => +h.tagName[1]);
      let ordered = levels[0] === 1;
      for (let i = 1; i < levels.length; i++) if (levels[i] > levels[i - 1] + 1) ordered = false;
      const input = document.querySelector("input#q");
      return {
        landmarks: !!document.querySelector("header") && !!document.querySelector("main") &&
          !!document.querySelector("footer"),
        h1: document.querySelectorAll("h1").length,
        ordered,
        labelled: !input || !!document.querySelector('label[for="q"]'),
        lang: document.documentElement.lang,
      };
    });
    ok(a.landmarks && a.h1 === 1 && a.ordered && a.labelled && a.lang === "en",
      `${path}: landmarks, one h1, heading order, labelled form, lang`, JSON.stringify(a));
  }
  await page.goto(`${BASE}/`);
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  const outline = await page.evaluate(() => {
    const el = document.activeElement;
    const s = getComputedStyle(el);
    return `${el.tagName} ${s.outlineStyle} ${s.outlineWidth}`;
  });
  ok(!/ none /.test(outline) && !/ 0px$/.test(outline), "keyboard focus is visible", outline);
});

await scenario("phone layout", async () => {
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true });
  const p = await phone.newPage();
  const pages = [["home", "/"], ["search", "/search?q=back+pain+after+an+IUD"],
    ["article", "/articles/page:011_miscarriage_back_pain"], ["hostile", "/articles/page:013_hostile"],
    ["not-found", "/nowhere"]];
  for (const [name, path] of pages) {
    await p.goto(`${BASE}${path}`);
    const w = await p.evaluate(() => ({ scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth }));
    ok(w.scroll <= w.inner, `phone 360×740, ${name}: no horizontal scroll`, JSON.stringify(w));
    await p.screenshot({ path: `${SHOTS}/${name}-phone.png`, fullPage: true });
  }
  await phone.close();
});

await browser.close();
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
