// Mail decoding (GMime + gumbo): transfer encodings, charsets, multipart preference,
// attachments, HTML reduction. Expected texts are written out by hand from the fixtures
// in tests/data/mail/.

#include "data/html_text.h"
#include "data/mail_decoder.h"
#include "data/spam_assassin.h"
#include "test_support.h"
#include "util/file_io.h"

using namespace tpq;

namespace {
DecodedMail decodeFixture(const std::string& name) {
    return decodeMail(readFile(tpqtest::dataPath("mail/" + name)));
}
}  // namespace

class TestMail : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void quotedPrintableLatin1() {
        const DecodedMail m = decodeFixture("quoted_printable.eml");
        TPQ_COMPARE_STR(m.subject, "Café menu");  // RFC 2047 Q-encoded subject
        // =E9 -> é, =3D -> '=', soft line break joined, =80 -> € (iso-8859-1 read as windows-1252).
        TPQ_COMPARE_STR(m.body,
                        "The café opens at 9 = nine o'clock. This line is long and is wrapped with a soft line break.\n"
                        "Price: 5 € per cup.");
        QVERIFY(!m.fromHtml);
        QCOMPARE(m.invalidReplaced, size_t(0));
        // Headers other than Subject are gone; Subject is the first line.
        TPQ_COMPARE_STR(m.text().substr(0, 11), "Café menu\n");
        QVERIFY(m.text().find("Return-Path") == std::string::npos);
    }

    void base64Utf8() {
        const DecodedMail m = decodeFixture("base64.eml");
        TPQ_COMPARE_STR(m.subject, "Base64 body");
        TPQ_COMPARE_STR(m.body, "Hello from base64!\nGrüße, café €5.");
    }

    void htmlOnlyIsReducedToText() {
        const DecodedMail m = decodeFixture("html_only.eml");
        QVERIFY(m.fromHtml);
        TPQ_COMPARE_STR(m.body,
                        "Save\u00A050% & more\n\n"
                        "Click here to claim your \"prize\" élite €10.\n"
                        "Offer ends soon.\n\n"
                        "Cell one Cell two");
        // Script, style, head and comments never reach the text.
        QVERIFY(m.body.find("tracking") == std::string::npos);
        QVERIFY(m.body.find("color") == std::string::npos);
        QVERIFY(m.body.find("Offer\n") == std::string::npos);  // <title> is in <head>
        QVERIFY(m.body.find("comment") == std::string::npos);
    }

    void plainTextIsPreferredOverHtml() {
        const DecodedMail m = decodeFixture("multipart_alternative.eml");
        TPQ_COMPARE_STR(m.text(), "Lunch?\nPlain text wins: lunch at noon?");
    }

    void attachmentsSkippedAndForwardedMessagesWalked() {
        const DecodedMail m = decodeFixture("mixed_with_attachment.eml");
        TPQ_COMPARE_STR(m.body, "See the attached report.\n\nForwarded body text.");
    }

    void windows1252SmartQuotes() {
        TPQ_COMPARE_STR(decodeFixture("windows1252.eml").body, "“Quoted” and – dash, naïve.");
    }

    void unknownCharsetGivesReplacementCharacters() {
        const DecodedMail m = decodeFixture("unknown_charset.eml");
        TPQ_COMPARE_STR(m.body, "Caf\uFFFD ok");
        QCOMPARE(m.invalidReplaced, size_t(1));
    }

    void malformedInputNeverThrows() {
        TPQ_COMPARE_STR(decodeMail("").text(), "");
        TPQ_COMPARE_STR(decodeMail("no headers at all, just text").text(), "");
        const DecodedMail junk = decodeMail(std::string("Subject: x\n\n\xff\xfe\x00garbage", 22));
        TPQ_COMPARE_STR(junk.subject, "x");
    }

    void htmlToTextEntitiesAndBlocks() {
        TPQ_COMPARE_STR(htmlToText("<p>a &lt;b&gt; &copy; 2002</p><div>next</div>"), "a <b> © 2002\n\nnext");
        TPQ_COMPARE_STR(htmlToText("<ul><li>one</li><li>two</li></ul>"), "one\ntwo");
        TPQ_COMPARE_STR(htmlToText("<script>x()</script><style>p{}</style>visible"), "visible");
        TPQ_COMPARE_STR(htmlToText("   lots   of \n\n  space  "), "lots of space");
    }

    void packagedCorpusLoads() {
        const TextClassificationDataset d = loadSpamAssassin(defaultSpamAssassinPath());
        // 2500 + 1400 + 250 ham, 500 + 1396 spam, before de-duplication.
        QCOMPARE(d.report().recordsRead, size_t(6046));
        const auto counts = d.countsPerClass();
        QCOMPARE(counts.size(), size_t(2));
        QCOMPARE(counts[0] + counts[1] + d.report().skipped, size_t(6046));
        QVERIFY(counts[0] >= 4100 && counts[0] <= 4150);  // ham
        QVERIFY(counts[1] >= 1850 && counts[1] <= 1896);  // spam
        QCOMPARE(d.labelNames(), (std::vector<std::string>{"ham", "spam"}));
        // The first spam message is HTML-only, quoted-printable, iso-8859-1.
        bool found = false;
        for (size_t i = 0; i < d.size() && !found; ++i) {
            if (d.text(i).rfind("Life Insurance - Why Pay More?\n", 0) == 0) {
                found = true;
                QCOMPARE(d.label(i), int64_t(1));
                QVERIFY(d.text(i).find("Save up to 70% on Life Insurance.") != std::string::npos);
                QVERIFY(d.text(i).find("=3D") == std::string::npos);
                QVERIFY(d.text(i).find("<TD") == std::string::npos);
            }
        }
        QVERIFY(found);
    }
};

QTEST_GUILESS_MAIN(TestMail)
#include "test_mail.moc"
