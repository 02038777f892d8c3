"""Public mail providers' domains (issue 11, M2 at scale): a shared domain is no evidence."""

from portal.domain.mail_domains import is_public_address, is_public_domain, public_domains


def test_m2_public_providers_of_every_seed_country_are_known():
    for domain in ("gmail.com", "outlook.com", "ziggo.nl", "telia.com", "siol.net", "abv.bg"):
        assert is_public_domain(domain), domain


def test_m2_company_domains_are_not_public():
    for domain in ("acme.nl", "northwind.example", "balkantelekom.bg", "gmail.com.acme.nl", "com", ""):
        assert not is_public_domain(domain), domain


def test_m2_subdomains_and_case_of_a_public_provider_are_public():
    assert is_public_domain("Mail.Yahoo.COM.")
    assert is_public_address("Ana.Novak@SIOL.net")
    assert not is_public_address("ana@acme.si")


def test_the_data_file_holds_lower_case_domains_only():
    domains = public_domains()
    assert len(domains) > 100
    assert all(d == d.strip().casefold() and "." in d and " " not in d for d in domains)
