// Loaders: CSV/TSV (RFC 4180), JSONL, folder per class, aclImdb layout; and every bad
// input the issue names: missing file, empty file, row without a label, unknown column,
// invalid UTF-8 (replaced and counted), binary file.

#include <sys/stat.h>

#include "data/csv_loader.h"
#include "data/dataset_loader.h"
#include "data/folder_loader.h"
#include "data/jsonl_loader.h"
#include "test_support.h"

using namespace tpq;
using tpqtest::expectError;

class TestDatasets : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::string write(const std::string& name, const std::string& contents) {
        return tpqtest::writeFile(m_dir, name, contents);
    }

private Q_SLOTS:
    void csvRfc4180() {
        CsvOptions o;
        o.textColumn = "review";
        o.labelColumn = "sentiment";
        const auto d = loadCsv(tpqtest::dataPath("csv/reviews.csv"), o);
        QCOMPARE(d.size(), size_t(5));
        TPQ_COMPARE_STR(d.text(0), "Great movie, loved it");
        TPQ_COMPARE_STR(d.text(1), "He said \"wow\" twice");
        TPQ_COMPARE_STR(d.text(2), "A long review\r\nthat spans\r\nthree lines");
        TPQ_COMPARE_STR(d.text(3), "Plain text without quotes");
        // Names sorted: negative = 0, positive = 1.
        QCOMPARE(d.labelNames(), (std::vector<std::string>{"negative", "positive"}));
        QCOMPARE(d.labels(), (std::vector<int64_t>{1, 1, 0, 0, 1}));
    }

    void csvParserTracksLines() {
        const auto records = parseCsv("a,b\n\"x\ny\",1\n\nz,2\n", ',', "mem");
        QCOMPARE(records.size(), size_t(3));
        QCOMPARE(records[1].line, size_t(2));
        TPQ_COMPARE_STR(records[1].fields[0], "x\ny");
        QCOMPARE(records[2].line, size_t(5));  // blank line 4 skipped
        expectError([] { parseCsv("a,b\n\"open,1\n2,3\n", ',', "f.csv"); }, {"f.csv:2", "never closed"});
    }

    void tsvWithIntegerLabels() {
        CsvOptions o;
        o.delimiter = '\t';
        const auto d = loadCsv(tpqtest::dataPath("csv/reviews.tsv"), o);
        QCOMPARE(d.size(), size_t(3));
        TPQ_COMPARE_STR(d.text(2), "third, with a comma");
        QCOMPARE(d.labelNames(), (std::vector<std::string>{"0", "1"}));
        QCOMPARE(d.labels(), (std::vector<int64_t>{0, 1, 1}));
    }

    void csvWithoutHeaderUsesIndices() {
        const std::string path = write("nohead.csv", "hello,spam\nworld,ham\n");
        CsvOptions o;
        o.header = false;
        o.textColumn = "0";
        o.labelColumn = "1";
        o.labelNames = {"ham", "spam"};
        const auto d = loadCsv(path, o);
        QCOMPARE(d.labels(), (std::vector<int64_t>{1, 0}));
        o.textColumn = "text";
        expectError([&] { loadCsv(path, o); }, {"data.text_column is 'text'", "0-based index"});
    }

    void jsonlWithStringLabels() {
        const auto d = loadJsonl(tpqtest::dataPath("csv/reviews.jsonl"), {});
        QCOMPARE(d.size(), size_t(3));
        TPQ_COMPARE_STR(d.text(2), "Unicode: café 中国");
        QCOMPARE(d.labelNames(), (std::vector<std::string>{"neg", "pos"}));
        QCOMPARE(d.labels(), (std::vector<int64_t>{1, 0, 1}));
    }

    void jsonlErrorsNameTheLine() {
        const std::string bad = write("bad.jsonl", "{\"text\": \"a\", \"label\": 1}\n{\"text\": \"b\", \"label\": }\n");
        expectError([&] { loadJsonl(bad, {}); }, {"bad.jsonl:2", "not valid JSON"});
        const std::string noLabel = write("nolabel.jsonl", "{\"text\": \"a\", \"lable\": 1}\n");
        expectError([&] { loadJsonl(noLabel, {}); }, {"nolabel.jsonl:1", "no key 'label'", "did you mean 'lable'"});
        const std::string wrongType = write("type.jsonl", "{\"text\": \"a\", \"label\": 1.5}\n");
        expectError([&] { loadJsonl(wrongType, {}); }, {"type.jsonl:1", "string or an integer"});
    }

    void folderPerClass() {
        const auto d = loadFolder(tpqtest::dataPath("folder"));
        QCOMPARE(d.labelNames(), (std::vector<std::string>{"negative", "positive"}));
        QCOMPARE(d.size(), size_t(3));
        TPQ_COMPARE_STR(d.text(0), "Bad, boring, too long.");
        QCOMPARE(d.labels(), (std::vector<int64_t>{0, 0, 1}));
        bool warnedMd = false, warnedEmpty = false;
        for (const auto& w : d.report().warnings) {
            warnedMd |= w.find("2 file(s) without the .txt extension") != std::string::npos;
            warnedEmpty |= w.find("empty_class") != std::string::npos;
        }
        QVERIFY(warnedMd);
        QVERIFY(warnedEmpty);
    }

    void aclImdbLayout() {
        DatasetOptions o;
        o.dataset = "imdb";
        o.path = tpqtest::dataPath("aclImdb");
        const auto d = loadDataset(o);
        QCOMPARE(d.labelNames(), (std::vector<std::string>{"neg", "pos"}));
        QCOMPARE(d.size(), size_t(6));  // train + test, unsup ignored
        QCOMPARE(d.countsPerClass(), (std::vector<size_t>{3, 3}));
        // One split folder on its own also works.
        QCOMPARE(loadImdb(tpqtest::dataPath("aclImdb/test")).size(), size_t(3));
        expectError([] { loadImdb(tpqtest::dataPath("folder")); }, {"aclImdb layout", "train/{pos,neg}"});
    }

    // ---- the bad inputs of acceptance point 5 -------------------------------------------

    void missingFile() {
        CsvOptions o;
        expectError([&] { loadCsv("/no/such/data.csv", o); },
                    {"CSV file not found: /no/such/data.csv", "check the path"});
        expectError([] { loadFolder("/no/such/folder"); }, {"dataset folder not found"});
    }

    void emptyFile() {
        const std::string path = write("empty.csv", "");
        expectError([&] { loadCsv(path, {}); }, {"empty.csv is empty"});
        const std::string blank = write("blank.jsonl", "\n\n  \n");
        expectError([&] { loadJsonl(blank, {}); }, {"blank.jsonl is empty"});
        const std::string headerOnly = write("header.csv", "text,label\n");
        expectError([&] { loadCsv(headerOnly, {}); }, {"header row but no examples"});
    }

    void csvRowWithoutLabel() {
        const std::string missingField = write("nolabel.csv", "text,label\ngood,1\nthis row forgot its label\n");
        expectError([&] { loadCsv(missingField, {}); },
                    {"nolabel.csv:3: row 2", "has 1 field(s)", "label column 'label'", "no label"});
        const std::string emptyLabel = write("emptylabel.csv", "text,label\ngood,1\n\"multi\nline\",\nok,0\n");
        expectError([&] { loadCsv(emptyLabel, {}); }, {"emptylabel.csv:3: row 2", "empty label in column 'label'"});
    }

    void unknownColumnName() {
        CsvOptions o;
        o.textColumn = "reviw";
        expectError(
            [&] { loadCsv(tpqtest::dataPath("csv/reviews.csv"), o); },
            {"no column named 'reviw'", "data.text_column", "[id, review, sentiment]", "did you mean 'review'"});
    }

    void invalidUtf8IsReplacedAndCounted() {
        const std::string path = write("latin1.csv", "text,label\ncaf\xe9 au lait,a\nok \xff\xfe bytes,b\n");
        const auto d = loadCsv(path, {});
        QCOMPARE(d.size(), size_t(2));
        TPQ_COMPARE_STR(d.text(0), "caf\uFFFD au lait");
        TPQ_COMPARE_STR(d.text(1), "ok \uFFFD\uFFFD bytes");
        QCOMPARE(d.report().invalidUtf8Replaced, size_t(3));
        bool warned = false;
        for (const auto& w : d.report().warnings) warned |= w.find("3 invalid UTF-8") != std::string::npos;
        QVERIFY(warned);
    }

    void binaryFileIsRefused() {
        std::string png = "\x89PNG\r\n\x1a\n";
        png += std::string("\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0", 21);
        const std::string path = write("image.csv", png);
        expectError([&] { loadCsv(path, {}); }, {"image.csv looks like a binary file", "UTF-8 text file"});
        expectError([&] { loadJsonl(path, {}); }, {"looks like a binary file"});
    }

    void csvRowsWithExtraFieldsAreRefused() {
        const std::string path = write("extra.csv", "text,label\nhello, world,pos\nfine,neg\n");
        expectError([&] { loadCsv(path, {}); },
                    {"extra.csv:2: row 1 has 3 fields but the header has 2", "\"double quotes\""});
    }

    void csvLenientQuotingAndOldMacLineEndings() {
        // Spaces around a quoted field are not part of it.
        const std::string spaced = write("spaced.csv", "text, label\n \"a, b\" , pos\n\"c\",neg\n");
        const auto d = loadCsv(spaced, {});
        TPQ_COMPARE_STR(d.text(0), "a, b");
        QCOMPARE(d.labelNames(), (std::vector<std::string>{"neg", "pos"}));
        // CR-only line endings.
        const std::string mac = write("mac.csv", "text,label\r\"a\",pos\rb,neg\r");
        QCOMPARE(loadCsv(mac, {}).size(), size_t(2));
    }

    void csvLabelProblems() {
        CsvOptions same;
        same.delimiter = '\t';
        same.labelColumn = "text";
        expectError([&] { loadCsv(tpqtest::dataPath("csv/reviews.tsv"), same); }, {"both select column 1"});
        CsvOptions tsv;
        tsv.delimiter = '\t';
        const std::string mixed = write("mixed.tsv", "text\tlabel\na\t1\nb\tpos\nc\t0\n");
        const auto d = loadCsv(mixed, tsv);
        QCOMPARE(d.numClasses(), size_t(3));
        bool warned = false;
        for (const auto& w : d.report().warnings) warned |= w.find("labels mix numbers and names") != std::string::npos;
        QVERIFY(warned);
        // A single class cannot train a classifier.
        DatasetOptions one;
        one.dataset = "csv";
        one.path = write("one.csv", "text,label\na,x\nb,x\n");
        expectError([&] { loadAndSplit(one, 1); }, {"only 1 class found (x)", "data.label_column"});
        DatasetOptions names;
        names.labelNames = {"pos", "pos", ""};
        const auto problems = names.validate();
        QCOMPARE(problems.size(), size_t(2));
    }

    void pipesAreRefused() {
        // A FIFO (or a device) would block or never end: refused before it is opened.
        const std::string fifo = m_dir.path().toStdString() + "/fifo.csv";
        QCOMPARE(::mkfifo(fifo.c_str(), 0600), 0);
        expectError([&] { loadCsv(fifo, {}); }, {"CSV file " + fifo + " is not a regular file", "save the data"});
    }

    void datasetOptionsValidation() {
        DatasetOptions o;
        o.dataset = "cvs";
        o.trainRatio = 0.9;
        const auto problems = o.validate();
        QCOMPARE(problems.size(), size_t(2));
        QVERIFY(problems[0].find("did you mean 'csv'") != std::string::npos);
        QVERIFY(problems[1].find("must be 1, got 1.100") != std::string::npos);
        DatasetOptions p;
        p.dataset = "csv";
        expectError([&] { loadDataset(p); }, {"data.path", "needs data.path"});
    }
};

QTEST_GUILESS_MAIN(TestDatasets)
#include "test_datasets.moc"
