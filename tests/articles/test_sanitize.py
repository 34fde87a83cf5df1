import pytest

from articles.sanitize import carries_markup, html_to_text, sanitize_html

HOSTILE = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<svg onload=alert(1)><circle r=1 /></svg>',
    '<svg><script>alert(1)</script></svg>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<iframe src="https://evil.example"></iframe>',
    '<object data="evil.swf"></object><embed src="evil.swf">',
    '<body onload=alert(1)>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="expression(alert(1))">x</p>',
    '<form action="https://evil.example"><input name=q></form>',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
    '<base href="https://evil.example/">',
    '<link rel=stylesheet href="https://evil.example/x.css">',
    '<img src="x" onmouseover="alert(1)">',
    '<details open ontoggle=alert(1)>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<template><script>alert(1)</script></template>',
    '"><script>alert(1)</script>',
    '<scr<script>ipt>alert(1)</script>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<video><source onerror="alert(1)"></video>',
    '<button formaction="javascript:alert(1)">x</button>',
    '<isindex action="javascript:alert(1)" type=image>',
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_it_leaves_nothing_executable(payload):
    cleaned = sanitize_html(payload).lower()
    for marker in ("<script", "javascript:", "vbscript:", "data:text", "onerror", "onload", "onmouseover",
                   "ontoggle", "<iframe", "<object", "<embed", "<svg", "<form", "<meta", "<base", "<link", "style=",
                   "formaction", "expression("):
        assert marker not in cleaned, (payload, cleaned)


def test_it_keeps_ordinary_article_markup_and_marks_links_nofollow():
    cleaned = sanitize_html('<p>Read <a href="https://status.example/incidents/1">the <b>update</b></a>.</p>')
    assert cleaned == (
        '<p>Read <a href="https://status.example/incidents/1" rel="nofollow noopener noreferrer">'
        "the <b>update</b></a>.</p>"
    )


def test_it_turns_html_into_readable_text():
    assert html_to_text("<p>Users see &quot;550 5.7.708&quot;</p><p>Second<br>line</p><script>x()</script>") == (
        'Users see "550 5.7.708"\nSecond\nline'
    )
    assert html_to_text("") == ""


@pytest.mark.parametrize(("html", "expected"), [
    ("<p>We are investigating.</p><p>Next update in 30 minutes.</p>", False),
    ("Line one<br/><br/>line two &amp; more", False),
    ("<div>Plain</div>", False),
    ('See <a href="https://status.example/1">the incident</a>.', True),
    ("<strong>Impact</strong><br/>Some users", True),
    ("<ul><li>EU</li></ul>", True),
    ("text <!-- a comment -->", True),
    ("<P>Upper-case paragraph</P>", False),
    ("<pre>code</pre>", True),  # not <p>
])
def test_it_tells_html_that_says_more_than_its_text(html, expected):
    assert carries_markup(html) is expected
