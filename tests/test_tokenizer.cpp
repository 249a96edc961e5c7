// WordPiece against BERT's reference algorithm (golden file produced once with a
// transcription of google-research/bert tokenization.py, checked in), encoding with
// [CLS]/[SEP], truncation, padding and masks, vocabulary formats, the word tokenizer.

#include <fstream>

#include <nlohmann/json.hpp>

#include "test_support.h"
#include "text/basic_tokenizer.h"
#include "text/word_vocab_tokenizer.h"
#include "text/wordpiece_tokenizer.h"
#include "util/strings.h"

using namespace tpq;
using tpqtest::expectError;

namespace {
std::string joined(const std::vector<std::string>& tokens) {
    return join(tokens, " ");
}
}  // namespace

class TestTokenizer : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<WordPieceTokenizer> m_bert;

private Q_SLOTS:
    void initTestCase() {
        m_bert = std::make_unique<WordPieceTokenizer>(WordPieceTokenizer::fromFile(tpqtest::bertVocabJson()));
    }

    void sentencePieceVocabularyMapsToBertIds() {
        // Ids every bert-base-uncased user knows.
        QCOMPARE(m_bert->vocabSize(), size_t(30522));
        QCOMPARE(m_bert->padId(), int64_t(0));
        QCOMPARE(m_bert->unkId(), int64_t(100));
        QCOMPARE(m_bert->clsId(), int64_t(101));
        QCOMPARE(m_bert->sepId(), int64_t(102));
        QCOMPARE(m_bert->tokenToId("[MASK]"), int64_t(103));
        QCOMPARE(m_bert->tokenToId("the"), int64_t(1996));
        QCOMPARE(m_bert->tokenToId("straw"), int64_t(13137));
        QCOMPARE(m_bert->tokenToId("##berries"), int64_t(20968));
        TPQ_COMPARE_STR(m_bert->idToToken(1), "[unused0]");
        TPQ_COMPARE_STR(fromSentencePieceStyle("\xE2\x96\x81word", 5000), "word");
        TPQ_COMPARE_STR(fromSentencePieceStyle("ing", 5001), "##ing");
        TPQ_COMPARE_STR(fromSentencePieceStyle("[SEP]", 102), "[SEP]");
    }

    void acceptanceExamples() {
        TPQ_COMPARE_STR(joined(m_bert->tokenize("unaffable")), "una ##ffa ##ble");
        TPQ_COMPARE_STR(joined(m_bert->tokenize("strawberries")), "straw ##berries");
    }

    void accentsAreStripped() {
        TPQ_COMPARE_STR(joined(m_bert->tokenize("HÉLLO wörld naïve café résumé")), "hello world naive cafe resume");
        TPQ_COMPARE_STR(joined(m_bert->tokenize("Ångström façade")), "ang ##strom facade");
    }

    void punctuationIsSplit() {
        TPQ_COMPARE_STR(joined(m_bert->tokenize("don't stop-believing... (really?)")),
                        "don ' t stop - believing . . . ( really ? )");
        TPQ_COMPARE_STR(joined(m_bert->tokenize("¿Qué tal? ¡Muy bien!")), "¿ que tal ? ¡ mu ##y bien !");
        TPQ_COMPARE_STR(joined(m_bert->tokenize("“smart” ‘quotes’")), "“ smart ” ‘ quotes ’");
    }

    void cjkCharactersAreSeparateWords() {
        TPQ_COMPARE_STR(joined(m_bert->tokenize("中国人民")), "中 国 人 民");
        TPQ_COMPARE_STR(joined(m_bert->tokenize("abc中def")), "abc 中 def");
    }

    void unknownWords() {
        // Not in the vocabulary: a snowman, an emoji; a word over 100 characters.
        TPQ_COMPARE_STR(joined(m_bert->tokenize("snowman \u2603 emoji \U0001F600")),
                        "snow ##man [UNK] em ##oj ##i [UNK]");
        TPQ_COMPARE_STR(joined(m_bert->tokenize(std::string(101, 'x'))), "[UNK]");
        // Exactly 100 characters is still split into pieces.
        QVERIFY(m_bert->tokenize(std::string(100, 'a')).size() > 1);
    }

    void controlCharactersAndReplacementCharactersAreDropped() {
        TPQ_COMPARE_STR(joined(m_bert->tokenize("control\x07"
                                                "chars\x1b")),
                        "control ##cha ##rs");
        TPQ_COMPARE_STR(joined(m_bert->tokenize("zero\u200bwidth")), "zero ##wi ##dt ##h");
        TPQ_COMPARE_STR(joined(m_bert->tokenize("\uFFFDreplacement\uFFFD")), "replacement");
        QVERIFY(m_bert->tokenize("").empty());
        QVERIFY(m_bert->tokenize(" \t\n ").empty());
    }

    void matchesReferenceGoldenFile() {
        std::ifstream cases(tpqtest::dataPath("tokenizer/cases.jsonl"));
        std::ifstream expected(tpqtest::dataPath("tokenizer/expected.txt"));
        QVERIFY(cases && expected);
        std::string c, e;
        int n = 0;
        while (std::getline(cases, c)) {
            QVERIFY(std::getline(expected, e));
            const std::string text = nlohmann::json::parse(c).get<std::string>();
            TPQ_COMPARE_STR(joined(m_bert->tokenize(text)), e);
            ++n;
        }
        QCOMPARE(n, 31);
    }

    void encodeAddsSpecialTokensAndMask() {
        EncodeOptions o;
        o.maxLength = 8;
        const Encoding enc = m_bert->encode("i like strawberries", o);
        // [CLS] i like straw ##berries [SEP] [PAD] [PAD]
        const std::vector<int64_t> ids = {101, 1045, 2066, 13137, 20968, 102, 0, 0};
        const std::vector<int64_t> mask = {1, 1, 1, 1, 1, 1, 0, 0};
        QCOMPARE(enc.inputIds, ids);
        QCOMPARE(enc.attentionMask, mask);
        QCOMPARE(enc.length, size_t(6));
        QVERIFY(!enc.truncated);
    }

    void truncationKeepsSep() {
        EncodeOptions o;
        o.maxLength = 4;
        const Encoding enc = m_bert->encode("i like strawberries", o);
        const std::vector<int64_t> ids = {101, 1045, 2066, 102};
        QCOMPARE(enc.inputIds, ids);
        QCOMPARE(enc.attentionMask, std::vector<int64_t>(4, 1));
        QVERIFY(enc.truncated);
        o.maxLength = 2;
        expectError([&] { m_bert->encode("text", o); }, {"max_length 2", "at least 3"});
    }

    void dynamicPaddingPadsToLongest() {
        EncodeOptions o;
        o.maxLength = 64;
        o.padToMaxLength = false;
        const auto batch = m_bert->encodeBatch({"i like strawberries", "hello"}, o);
        QCOMPARE(batch[0].inputIds.size(), size_t(6));
        QCOMPARE(batch[1].inputIds.size(), size_t(6));
        const std::vector<int64_t> ids = {101, 7592, 102, 0, 0, 0};
        QCOMPARE(batch[1].inputIds, ids);
        QCOMPARE(batch[1].attentionMask, (std::vector<int64_t>{1, 1, 1, 0, 0, 0}));
        QCOMPARE(m_bert->countTokens("i like strawberries"), size_t(6));
    }

    void vocabTxtGivesTheSameTokens() {
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/vocab.txt";
        m_bert->save(path);
        const WordPieceTokenizer fromTxt = WordPieceTokenizer::fromFile(path);
        QCOMPARE(fromTxt.vocabSize(), size_t(30522));
        const std::string text = "HÉLLO, unaffable strawberries! 中国";
        QCOMPARE(fromTxt.tokenize(text), m_bert->tokenize(text));
        auto loaded = Tokenizer::load(path);
        TPQ_COMPARE_STR(loaded->kind(), "wordpiece");
    }

    void casedTokenizerKeepsCaseAndAccents() {
        QTemporaryDir dir;
        const std::string path =
            tpqtest::writeFile(dir, "vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\nHello\nhello\ncafé\ncafe\n!\n");
        const WordPieceTokenizer cased = WordPieceTokenizer::fromFile(path, false);
        TPQ_COMPARE_STR(joined(cased.tokenize("Hello café!")), "Hello café !");
        const WordPieceTokenizer uncased = WordPieceTokenizer::fromFile(path, true);
        TPQ_COMPARE_STR(joined(uncased.tokenize("Hello café!")), "hello cafe !");
    }

    void vocabularyErrors() {
        QTemporaryDir dir;
        expectError([] { Vocabulary::load("/nonexistent/vocab.txt"); },
                    {"vocabulary file not found", "/nonexistent/vocab.txt"});
        const std::string empty = tpqtest::writeFile(dir, "empty.txt", "");
        expectError([&] { Vocabulary::load(empty); }, {"empty.txt is empty"});
        const std::string dup = tpqtest::writeFile(dir, "dup.txt", "[PAD]\n[UNK]\nword\n[CLS]\nword\n");
        expectError([&] { Vocabulary::load(dup); }, {"dup.txt:5", "'word' appears again", "line 3"});
        const std::string noSpecial = tpqtest::writeFile(dir, "nospecial.txt", "[PAD]\nhello\n");
        expectError([&] { WordPieceTokenizer::fromFile(noSpecial); }, {"nospecial.txt", "no [UNK] token"});
        const std::string badJson = tpqtest::writeFile(dir, "bad.json", "[\"a\", ");
        expectError([&] { Vocabulary::load(badJson); }, {"bad.json is not valid JSON"});
    }

    void basicTokenizerClassifiesCharacters() {
        QVERIFY(BasicTokenizer::isPunctuation(U'$'));
        QVERIFY(BasicTokenizer::isPunctuation(U'\u00BF'));  // ¿
        QVERIFY(!BasicTokenizer::isPunctuation(U'a'));
        QVERIFY(BasicTokenizer::isChineseChar(U'\u4E2D'));
        QVERIFY(!BasicTokenizer::isChineseChar(U'\u3042'));  // Hiragana is not CJK Unified
        QVERIFY(BasicTokenizer::isWhitespace(U'\u3000'));
        QVERIFY(BasicTokenizer::isControl(U'\u200B'));
        QVERIFY(!BasicTokenizer::isControl(U'\n'));
    }

    void wordVocabularyIsBuiltFromTrainingTexts() {
        WordVocabOptions o;
        o.minFrequency = 2;
        o.maxSize = 8;  // 5 specials + 3 words
        const WordVocabTokenizer tok =
            WordVocabTokenizer::build({"the cat sat", "The cat ran", "the dog, the end", "a dog"}, o);
        // Counts: the 4, cat 2, dog 2, then rare words; ties alphabetical.
        const std::vector<std::string> expected = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "dog"};
        QCOMPARE(tok.vocabulary().tokens(), expected);
        TPQ_COMPARE_STR(joined(tok.tokenize("The cat, the bird")), "the cat [UNK] the [UNK]");
        EncodeOptions e;
        e.maxLength = 6;
        QCOMPARE(tok.encode("the cat", e).inputIds, (std::vector<int64_t>{2, 5, 6, 3, 0, 0}));
    }

    void wordVocabularySaveLoadRoundTrip() {
        QTemporaryDir dir;
        const std::string path = dir.path().toStdString() + "/word_vocab.txt";
        const WordVocabTokenizer tok = WordVocabTokenizer::build({"alpha beta beta gamma", "beta alpha"}, {1, 0, true});
        tok.save(path);
        auto loaded = Tokenizer::load(path);
        TPQ_COMPARE_STR(loaded->kind(), "word");
        QCOMPARE(loaded->vocabulary().tokens(), tok.vocabulary().tokens());
        QCOMPARE(loaded->tokenize("Beta GAMMA delta"), tok.tokenize("Beta GAMMA delta"));
        TPQ_COMPARE_STR(joined(loaded->tokenize("Beta GAMMA delta")), "beta gamma [UNK]");
        // A BERT vocab.txt is refused as a word vocabulary, with what to do.
        const std::string bert = tpqtest::writeFile(dir, "vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n");
        expectError([&] { WordVocabTokenizer::fromFile(bert); },
                    {"not a word vocabulary", "tokenizer.type: wordpiece"});
    }
};

QTEST_GUILESS_MAIN(TestTokenizer)
#include "test_tokenizer.moc"
