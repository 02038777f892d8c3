"""Issue 5: every page each role can reach, crawled in the pseudo-locale in real Chromium.

Fails on any visible text, title, placeholder, aria-label, alt, validation or flash message
without the pseudo marker (a hard-coded string), and on text that overflows its box at 320 px
and at 1280 px. Data (names, emails, CLDR names and dates) is marked translate="no" in the
templates, which is also what tells browser translation tools to leave it alone.

Each page state's full-page screenshot and the boxes of its strings (known by the msgid identity
every pseudo string ends with) make the translators' report, artifacts/translator-context/index.html
(tests/translator_context.py, issue 13).
"""

import shutil
import time

import pytest
from sqlalchemy import select

from tests import translator_context
from tests.browser import beside_the_portal
from tests.conftest import LANGUAGES, PASSWORD, ROOT
from tests.pseudo import CODE, make_translations
from tests.wizard_driver import place_order

pytestmark = pytest.mark.browser

CHECK = r"""
() => {
  const innermost = /⟦[^⟦⟧]*⟧/g;
  const unmarked = text => { let t = text, before; do { before = t; t = t.replace(innermost, ' '); } while (t !== before); return t; };
  const letters = /\p{L}/u;
  const skipped = el => el.closest('[translate="no"], script, style, noscript, template, iframe');
  const visible = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : '');
  const untranslated = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || skipped(el) || !visible(el) || el.tagName === 'OPTION') continue;
    const rest = unmarked(node.textContent);
    if (letters.test(rest)) untranslated.push(name(el) + ': ' + node.textContent.trim().slice(0, 80));
  }
  for (const el of document.querySelectorAll('[title], [placeholder], [aria-label], [alt]')) {
    if (skipped(el)) continue;
    for (const attr of ['title', 'placeholder', 'aria-label', 'alt']) {
      const value = el.getAttribute(attr);
      if (value && letters.test(unmarked(value))) untranslated.push(name(el) + '[' + attr + ']: ' + value);
    }
  }
  for (const option of document.querySelectorAll('select option')) {
    if (skipped(option)) continue;
    if (letters.test(unmarked(option.textContent))) untranslated.push('option: ' + option.textContent.trim());
  }
  // A title may name data (an organization), but its own words must be translated.
  if (!document.title.includes('⟦')) untranslated.push('title: ' + document.title);
  const overflow = [];
  if (document.documentElement.scrollWidth > window.innerWidth + 1) overflow.push('page is wider than the window: ' + document.documentElement.scrollWidth);
  for (const el of document.querySelectorAll('body *')) {
    // .visually-hidden (a live region, a caption) is clipped to 1 px on purpose: read, never seen.
    // An SVG chart lays its text out in its own viewBox (its numbers are also in a table).
    if (el.closest('.table-wrap, select, input, textarea, iframe, .visually-hidden, svg') || !visible(el)) continue;
    const style = getComputedStyle(el);
    if (style.display === 'inline' || el.clientWidth === 0) continue;
    // Clipped to 1 px on purpose (the visually-hidden pattern, e.g. the language's name beside
    // its code on a phone): read by screen readers, never seen.
    if (el.clientWidth <= 1 && el.clientHeight <= 1 && style.overflow === 'hidden') continue;
    if (el.scrollWidth > el.clientWidth + 1 && style.overflowX !== 'auto' && style.overflowX !== 'scroll')
      overflow.push(name(el) + ': ' + el.textContent.trim().slice(0, 60));
  }
  return {untranslated, overflow};
}
"""


@pytest.fixture
def app_config(app_config, tmp_path):
    folder = make_translations(ROOT, tmp_path / "translations")
    return {**app_config, "LANGUAGES": (*LANGUAGES, CODE), "TRANSLATIONS_DIR": str(folder)}


@pytest.fixture(autouse=True)
def translator_report():
    """After each crawl, even a failed one: its states, then the report over every crawl's states."""
    Crawler.made.clear()
    yield
    for crawler in Crawler.made:
        translator_context.save(crawler.name, crawler.states)
    if Crawler.made:
        translator_context.write_report(ROOT)


class Crawler:
    made = []  # this test's crawlers, saved for the translators' report when it ends

    def __init__(self, page, base, width, role):
        self.page, self.base, self.problems = page, base, []
        self.name = f"{role}-{width}"
        self.shots = translator_context.FOLDER / self.name
        shutil.rmtree(self.shots, ignore_errors=True)  # no screenshot of an earlier run's numbering
        self.shots.mkdir(parents=True)
        self.n, self.states = 0, []
        Crawler.made.append(self)
        page.set_viewport_size({"width": width, "height": 900})

    def settle(self):
        """Wait until the page is loaded and htmx has finished swapping (no request, swap or settle)."""
        self.page.wait_for_load_state("networkidle")
        self.page.wait_for_function(
            "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
        )

    def check(self, label):
        self.n += 1
        self.settle()
        shot = self.shots / f"{self.n:02d}-{label}.png"
        self.page.screenshot(path=str(shot), full_page=True)
        recorded = translator_context.record(self.page, self.base, self.n, label, shot)
        self.states.append(recorded)
        if not any(box for _, _, box in recorded["strings"]):
            self.problems.append(f"{label} ({self.page.url}): no string found for the translators' report")
        found = self.page.evaluate(CHECK)
        self.problems += [f"{label} ({self.page.url}): untranslated {text}" for text in found["untranslated"]]
        self.problems += [f"{label} ({self.page.url}): overflow {text}" for text in found["overflow"]]

    def visit(self, path, label):
        self.page.goto(self.base + path)
        self.check(label)

    def submit(self, label, button=None):
        target = self.page.locator(button) if button else self.page.locator("main form button[type=submit]").last
        # Every form posts; wait for its answer (an htmx swap or a new page) before reading the page.
        with self.page.expect_response(lambda response: response.request.method == "POST"):
            target.click()
        self.check(label)


def sign_in(crawler, email):
    crawler.visit(f"/{CODE}/sign-in", "sign-in")
    crawler.submit("sign-in-empty")  # validation messages
    crawler.page.fill("#email", email)
    crawler.page.fill("#password", "wrong")
    crawler.submit("sign-in-wrong")  # flash message
    crawler.page.fill("#email", email)
    crawler.page.fill("#password", PASSWORD)
    crawler.page.locator("main form button[type=submit]").click()


@pytest.mark.parametrize("width", [320, 1280])
def test_pseudo_anonymous_and_wizard(live_portal, app, page, width):
    c = Crawler(page, live_portal.url, width, "anonymous")
    c.visit(f"/{CODE}/", "home")
    c.visit(f"/{CODE}/no-such-page", "not-found")
    c.visit(f"/{CODE}/setup/not-a-token", "link-problem")
    _, token = place_order(app, language=CODE, key=f"pseudo-wizard-{width}-0001")
    w = f"/{CODE}/setup/{token}"
    c.visit(w, "entry")
    c.visit(w + "/role", "role")
    c.submit("role-empty")
    page.check("input[value=partner]")
    c.submit("who")
    c.submit("who-empty")
    page.check("input[value=self]")
    c.submit("partner")
    page.check("input[value=yes]")
    c.submit("admin")
    page.fill("#admin_email", "not-an-email")
    c.submit("admin-invalid")
    page.fill("#admin_email", "new.person@contoso.example")
    c.submit("company")
    page.fill("#company", "Contoso Logistics")
    page.select_option("#country", "CU")
    c.submit("company-unsupported")
    page.select_option("#country", "NL")
    c.submit("organization")
    page.check("input[value=new]")
    c.submit("confirm")
    c.submit("done")
    page.locator("main a.button").click()
    c.check("service-details")
    c.submit("service-calling")
    page.fill("#location", "HQ")
    c.submit("service-meetings")
    page.fill("#site", f"pseudo-{width}")
    page.select_option("#time_zone", "Europe/Amsterdam")
    c.submit("service-enterprise")
    page.fill("#subdomain", "-bad")
    page.locator("button[value=check]").click()
    c.check("enterprise-check")
    page.fill("#subdomain", f"pseudo-{width}")
    c.submit("service-provision")
    c.submit("provisioned")
    from portal.infra.db import db
    from portal.models import OutgoingEmail

    for _ in range(200):  # the live portal's delivery thread sends the set-up email within a moment
        with app.app_context():
            if db.scalar(select(OutgoingEmail.id).where(OutgoingEmail.status == "sent")):
                break
        time.sleep(0.1)
    else:
        raise AssertionError("the set-up email was not delivered")
    c.visit(f"/{CODE}/mailbox/", "mailbox")
    page.locator("main table a").first.click()
    c.check("mailbox-message")
    assert c.problems == [], "\n".join(c.problems)


@pytest.mark.parametrize("width", [320, 1280])
def test_pseudo_partner_admin(live_portal, app, page, width):
    c = Crawler(page, live_portal.url, width, "partner")
    sign_in(c, "anna.dekker@northwind.example")
    c.visit(f"/{CODE}/orders/", "orders")
    c.visit(f"/{CODE}/orders/new", "order-new")
    page.fill("#licenses", "0")
    page.fill("#provisioning_contact", "nope")
    c.submit("order-new-invalid")
    c.visit(f"/{CODE}/orders/1", "order")
    page.fill("#provisioning_contact", "bad")
    c.submit("order-contact-invalid", "#contact-panel button[type=submit]")
    c.visit(f"/{CODE}/organization/", "organization")
    c.visit(f"/{CODE}/account", "account")
    c.visit(f"/{CODE}/translations/", "translations")
    c.visit(f"/{CODE}/customers/", "customers")
    c.visit(f"/{CODE}/customers/trials/new", "trial-new")
    c.submit("trial-new-invalid", "main form button[value=save]")
    page.fill("#admin_email", "admin@contoso.example")
    c.submit("trial-new-existing", "main form button[value=save]")
    c.visit(f"/{CODE}/customers/", "customers-again")
    page.locator("#customer-rows a", has_text="Helios").click()
    c.check("customer-trial")
    page.locator("main a[href$='/cancel']").first.click()
    c.check("trial-cancel-confirm")
    assert c.problems == [], "\n".join(c.problems)


@pytest.mark.parametrize("width", [320, 1280])
def test_pseudo_customer_admin(live_portal, app, page, width):
    from portal.infra.db import db
    from portal.models import User
    from portal.trials import lifecycle

    with beside_the_portal(app):  # a pending trial request for Contoso (rule T8)
        ivan = db.query(User).filter_by(email="ivan.petrov@sofiacomm.example").one()
        lifecycle.start_trial(
            partner=ivan.organization,
            actor=ivan,
            company="Contoso",
            admin_email="admin@contoso.example",
            industry="retail",
            country="US",
            services=["devices"],
            license_count=5,
            duration_days=30,
            supported_location=True,
            existing_confirmed=True,
        )
        db.commit()
    c = Crawler(page, live_portal.url, width, "customer")
    sign_in(c, "admin@contoso.example")
    c.visit(f"/{CODE}/organization/", "organization")
    c.visit(f"/{CODE}/account", "account")
    c.visit(f"/{CODE}/orders/", "orders-forbidden")
    page.locator("form[action$='/sign-out'] button").click()
    sign_in(c, "trial.admin@helios.example")
    c.visit(f"/{CODE}/organization/", "trial-customer")
    page.locator("main a[href$='/cancel']").first.click()
    c.check("customer-cancel-confirm")
    assert c.problems == [], "\n".join(c.problems)


@pytest.mark.parametrize("width", [320, 1280])
def test_pseudo_wizard_branches(live_portal, app, page, width):
    """The wizard's other pages: stops with advice (W3, M4), the hand-over (W2), a partner's first
    order with its password (W3, W8), and a link that was replaced."""
    from tests.wizard_driver import demo_order

    c = Crawler(page, live_portal.url, width, "wizard-branches")
    _, token = place_order(app, language=CODE, key=f"pseudo-branches-{width}-01")
    w = f"/{CODE}/setup/{token}"
    c.visit(w + "/role", "role")
    page.check("input[value=partner]")
    c.submit("who")
    page.check("input[value=self]")
    c.submit("partner")
    page.check("input[value=unknown]")
    c.submit("stop-partner-unknown")
    c.visit(w + "/role", "role-again")
    page.check("input[value=customer]")
    c.submit("admin")
    page.fill("#admin_email", "new.person@contoso.example")
    c.submit("company")
    page.fill("#company", "Contoso Logistics")
    page.select_option("#country", "NL")
    c.submit("organization")
    page.locator("input[name=organization]").first.check()
    c.submit("stop-blocked")
    c.visit(w + "/role", "role-handover")
    page.check("input[value=partner]")
    c.submit("who")
    page.check("input[value=other]")
    page.fill("#email", "colleague@northwind.example")
    c.submit("handed-over")
    c.visit(w, "link-replaced")

    _, first = demo_order(app, "demo-order-2")  # a partner known only from its order
    w = f"/{CODE}/setup/{first}"
    c.visit(w + "/role", "first-order-role")
    page.check("input[value=partner]")
    c.submit("first-order-who")
    page.check("input[value=self]")
    c.submit("first-order-partner")
    page.fill("#admin_email", "marko@adriatic.example")
    c.submit("first-order-admin")
    page.fill("#admin_email", f"it{width}@fabrikam.example")
    c.submit("first-order-company")
    page.fill("#company", f"Fabrikam {width}")
    page.select_option("#country", "HR")
    c.submit("first-order-organization")
    page.check("input[value=new]")
    c.submit("first-order-confirm")
    c.submit("first-order-done")
    page.locator("main a.button").click()
    c.check("password")
    page.fill("#password", "short")
    page.fill("#confirm", "other")
    c.submit("password-invalid")
    assert c.problems == [], "\n".join(c.problems)
