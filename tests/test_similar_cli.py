"""`flask portal similar`: the duplicate guard for support staff (issue 12)."""


def similar(app, *args):
    return app.test_cli_runner().invoke(args=["portal", "similar", *args])


def test_similar_prints_the_suggestions_with_scores_and_reasons(app, demo):
    result = similar(app, "Balkan Telekom EOOD", "--country", "bg")
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert "Балкан Телеком ЕООД" in first and "strong" in first
    assert "similar name (transliteration)" in first and "same country" in first
    assert int(first.split()[0]) >= 90


def test_similar_uses_and_checks_the_admin_email(app, demo):
    result = similar(app, "Acme", "--email", "boss@acme.example")
    assert result.exit_code == 0, result.output
    assert "Acme Rockets" in result.output and "same email domain" in result.output
    near = similar(app, "Something Else", "--email", "x@akerlumd.example")
    assert "one or two edits from akerlund.example" in near.output
    public = similar(app, "Something Else", "--email", "x@gmail.com")
    assert "public mail provider" in public.output


def test_similar_says_when_there_is_nothing(app, demo):
    result = similar(app, "Quite Unlike Anything")
    assert result.exit_code == 0 and "No possible duplicates" in result.output
