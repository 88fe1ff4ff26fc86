"""What the banner role promises; run by molecule's verifier and by the image build's testinfra step."""


def test_service_user_cannot_log_in(host):
    assert host.user("app").shell == "/usr/sbin/nologin"


def test_banner_is_written_for_the_service_user(host):
    banner = host.file("/srv/app/banner.txt")
    assert banner.is_file
    assert banner.user == "app"
    assert banner.mode == 0o644
    assert banner.content_string.strip() == "Built by cattle"
