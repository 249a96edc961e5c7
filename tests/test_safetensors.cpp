// safetensors reader/writer: bit-exact round trips for every dtype, header alignment, a
// golden file checked byte by byte, and one test per malformed file the reader must refuse
// with a clear message (broken files are built in a temporary directory).

#include <cstring>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "models/safetensors.h"
#include "test_support.h"
#include "util/file_io.h"

using namespace tpq;
using tpqtest::expectError;
using Json = nlohmann::ordered_json;

namespace {

std::string lengthPrefix(uint64_t n) {
    std::string s;
    for (int i = 0; i < 8; ++i) s.push_back(char((n >> (8 * i)) & 0xFF));
    return s;
}

/// A file with the given raw header text and data buffer.
std::string rawFile(const std::string& header, const std::string& data) {
    return lengthPrefix(header.size()) + header + data;
}

uint64_t headerLength(const std::string& file) {
    uint64_t n = 0;
    for (int i = 0; i < 8; ++i) n |= uint64_t(uint8_t(file[size_t(i)])) << (8 * i);
    return n;
}

bool sameBytes(const at::Tensor& a, const at::Tensor& b) {
    if (a.scalar_type() != b.scalar_type() || a.sizes() != b.sizes()) return false;
    const at::Tensor ca = a.contiguous(), cb = b.contiguous();
    const size_t bytes = size_t(ca.numel()) * ca.element_size();
    return bytes == 0 || std::memcmp(ca.data_ptr(), cb.data_ptr(), bytes) == 0;
}

}  // namespace

class TestSafetensors : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::string path(const std::string& name) const { return m_dir.path().toStdString() + "/" + name; }
    std::string write(const std::string& name, const std::string& contents) {
        return tpqtest::writeFile(m_dir, name, contents);
    }

    /// A valid two-tensor file: "bert.embeddings.weight" F32 [2, 3] then "bias" F32 [4].
    std::string validFile() {
        const std::string p = path("valid.safetensors");
        saveSafetensors(p, {{"bert.embeddings.weight", torch::arange(6, torch::kFloat).reshape({2, 3})},
                            {"bias", torch::ones({4})}});
        return readFile(p);
    }

    /// Rewrites the header of `file` with `edit` applied; keeps the data buffer.
    std::string patchHeader(const std::string& file, const std::function<void(Json&)>& edit) {
        const uint64_t n = headerLength(file);
        Json header = Json::parse(file.substr(8, size_t(n)));
        edit(header);
        return rawFile(header.dump(), file.substr(size_t(8 + n)));
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void roundTripIsBitExact() {
        torch::manual_seed(7);
        const std::vector<NamedTensor> tensors = {
            {"f32", torch::randn({3, 5})},
            {"f16", torch::randn({4, 2}).to(torch::kHalf)},
            {"bf16", torch::randn({2, 3}).to(torch::kBFloat16)},
            {"f64", torch::tensor({1.0 / 3.0, -0.0, 1e300}, torch::kDouble)},
            {"i64", torch::tensor({int64_t(-1), int64_t(1) << 62, int64_t(42)}, torch::kLong)},
            {"i32", torch::tensor({-7, 2147483647}, torch::kInt)},
            {"i16", torch::tensor({-32768, 5}, torch::kShort)},
            {"i8", torch::tensor({-128, 127}, torch::kChar)},
            {"u8", torch::tensor({0, 255}, torch::kByte)},
            {"bool", torch::tensor({true, false, true})},
            {"scalar", torch::tensor(2.5f)},
            {"empty", torch::zeros({0, 4})},
            {"transposed", torch::arange(6, torch::kFloat).reshape({2, 3}).t()},  // not contiguous
        };
        const std::map<std::string, std::string> metadata = {{"format", "pt"}, {"note", "café, 中国"}};
        const std::string p = path("roundtrip.safetensors");
        saveSafetensors(p, tensors, metadata);

        std::map<std::string, std::string> readMetadata = {{"stale", "entry"}};
        const auto loaded = loadSafetensors(p, &readMetadata);
        QCOMPARE(readMetadata, metadata);
        QCOMPARE(loaded.size(), tensors.size());
        for (size_t i = 0; i < tensors.size(); ++i) {
            TPQ_COMPARE_STR(loaded[i].name, tensors[i].name);
            QVERIFY2(sameBytes(loaded[i].tensor, tensors[i].tensor), tensors[i].name.c_str());
            QVERIFY(loaded[i].tensor.is_contiguous());
        }
        QCOMPARE(loaded[10].tensor.dim(), int64_t(0));
        QCOMPARE(loaded[10].tensor.item<float>(), 2.5f);
        QCOMPARE(loaded[11].tensor.sizes().vec(), (std::vector<int64_t>{0, 4}));
        QCOMPARE(loaded[12].tensor.sizes().vec(), (std::vector<int64_t>{3, 2}));
        QCOMPARE(loaded[12].tensor[0][1].item<float>(), 3.0f);

        // The tensors own their memory: they outlive any file buffer and can be modified.
        at::Tensor t = loaded[0].tensor;
        t.zero_();
        QCOMPARE(t.abs().sum().item<float>(), 0.0f);

        // No metadata, no tensors.
        saveSafetensors(p, {});
        std::map<std::string, std::string> none = {{"x", "y"}};
        QVERIFY(loadSafetensors(p, &none).empty());
        QVERIFY(none.empty());
    }

    void headerIsPaddedToEightBytes() {
        for (const std::string name : {"a", "ab", "abc", "abcd", "abcde", "abcdef", "abcdefg", "abcdefgh"}) {
            const std::string p = path("align.safetensors");
            saveSafetensors(p, {{name, torch::ones({3}, torch::kByte)}}, {{"k", name}});
            const std::string file = readFile(p);
            const uint64_t n = headerLength(file);
            QCOMPARE((8 + n) % 8, uint64_t(0));
            QCOMPARE(file.size(), size_t(8 + n + 3));
            QVERIFY(Json::parse(file.substr(8, size_t(n))).is_object());  // padding is JSON whitespace
            QCOMPARE(loadSafetensors(p).at(0).tensor.sum().item<int64_t>(), int64_t(3));
        }
    }

    void goldenFile() {
        const std::string p = path("golden.safetensors");
        saveSafetensors(p, {{"a", torch::tensor({1.0f, -2.0f})}, {"b", torch::tensor({{int16_t(7)}}, torch::kShort)}},
                        {{"format", "pt"}});
        const std::string file = readFile(p);
        // 141 bytes of JSON padded with 3 spaces to 144 = 0x90.
        TPQ_COMPARE_STR(file.substr(0, 8), std::string("\x90\0\0\0\0\0\0\0", 8));
        const std::string json =
            "{\"__metadata__\":{\"format\":\"pt\"},"
            "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            "\"b\":{\"dtype\":\"I16\",\"shape\":[1,1],\"data_offsets\":[8,10]}}   ";
        const std::string data("\x00\x00\x80\x3f\x00\x00\x00\xc0\x07\x00", 10);  // 1.0f, -2.0f, int16 7
        QCOMPARE(file.size(), size_t(8 + 144 + 10));
        QVERIFY(file == lengthPrefix(144) + json + data);

        const Json header = Json::parse(file.substr(8, 144));
        QCOMPARE(header["a"]["dtype"].get<std::string>(), std::string("F32"));
        QCOMPARE(header["a"]["shape"].get<std::vector<int64_t>>(), (std::vector<int64_t>{2}));
        QCOMPARE(header["a"]["data_offsets"].get<std::vector<uint64_t>>(), (std::vector<uint64_t>{0, 8}));
        QCOMPARE(header["b"]["dtype"].get<std::string>(), std::string("I16"));
        QCOMPARE(header["b"]["shape"].get<std::vector<int64_t>>(), (std::vector<int64_t>{1, 1}));
        QCOMPARE(header["b"]["data_offsets"].get<std::vector<uint64_t>>(), (std::vector<uint64_t>{8, 10}));
        QCOMPARE(header["__metadata__"]["format"].get<std::string>(), std::string("pt"));
    }

    void readsForeignLayoutInOffsetOrder() {
        // Header keys in another order than the data, unpadded header, as other writers do.
        const std::string header =
            "{\"z\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]},"
            "\"a\":{\"dtype\":\"I8\",\"shape\":[],\"data_offsets\":[3,4]},"
            "\"__metadata__\":{},"
            "\"m\":{\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[2,3]}}";
        const std::string p = write("foreign.safetensors", rawFile(header, std::string("\x01\x02\x01\xff", 4)));
        const auto loaded = loadSafetensors(p);
        QCOMPARE(loaded.size(), size_t(3));
        TPQ_COMPARE_STR(loaded[0].name, "z");
        TPQ_COMPARE_STR(loaded[1].name, "m");
        TPQ_COMPARE_STR(loaded[2].name, "a");
        QCOMPARE(loaded[0].tensor[1].item<uint8_t>(), uint8_t(2));
        QCOMPARE(loaded[1].tensor[0].item<bool>(), true);
        QCOMPARE(loaded[2].tensor.item<int8_t>(), int8_t(-1));
    }

    // ---- files the reader refuses -----------------------------------------------------

    void missingFile() {
        expectError([] { loadSafetensors("/no/such/model.safetensors"); },
                    {"safetensors file not found: /no/such/model.safetensors", "check the path"});
    }

    void fileShorterThanEightBytes() {
        const std::string p = write("short.safetensors", std::string("\x10\0\0", 3));
        expectError([&] { loadSafetensors(p); }, {p + ": only 3 byte(s) long", "8-byte header length"});
        const std::string empty = write("empty.safetensors", "");
        expectError([&] { loadSafetensors(empty); }, {empty + ": only 0 byte(s)"});
    }

    void headerLengthBeyondFile() {
        const std::string p = write("n_big.safetensors", lengthPrefix(1000) + "{}");
        expectError([&] { loadSafetensors(p); },
                    {p + ": header length 1000 bytes is larger than the file",
                     "file is truncated: expected at least 1008 bytes, has 10", "re-download"});
    }

    void headerLengthAbsurd() {
        const std::string p = write("n_absurd.safetensors", lengthPrefix(uint64_t(1) << 40) + "{}");
        expectError([&] { loadSafetensors(p); },
                    {p + ": header length 1099511627776 bytes is absurd (limit 100000000)", "not a safetensors file"});
        // Plain text mistaken for a checkpoint: the first 8 bytes give a huge N.
        const std::string text = write("text.safetensors", "hello world, this is not a model\n");
        expectError([&] { loadSafetensors(text); }, {"is absurd", "not a safetensors file"});
    }

    void headerNotJson() {
        const std::string p = write("notjson.safetensors", rawFile("{\"a\": {\"dtype\": ", ""));
        expectError([&] { loadSafetensors(p); }, {p + ": the header is not valid JSON", "re-download"});
    }

    void headerNotObject() {
        const std::string p = write("array.safetensors", rawFile("[1, 2]", ""));
        expectError([&] { loadSafetensors(p); }, {p + ": the header must be a JSON object, got array"});
    }

    void headerInvalidUtf8() {
        const std::string p = write("latin1.safetensors", rawFile("{\"caf\xe9\": 1}", ""));
        expectError([&] { loadSafetensors(p); }, {p + ": the JSON header is not valid UTF-8"});
    }

    void entryNotObject() {
        const std::string p = write("entry.safetensors", patchHeader(validFile(), [](Json& h) { h["bias"] = 4; }));
        expectError(
            [&] { loadSafetensors(p); },
            {p + ": tensor 'bias': expected an object with \"dtype\", \"shape\" and \"data_offsets\", got number"});
    }

    void missingOrUnknownDtype() {
        const std::string missing =
            write("nodtype.safetensors", patchHeader(validFile(), [](Json& h) { h["bias"].erase("dtype"); }));
        expectError([&] { loadSafetensors(missing); }, {missing + ": tensor 'bias': no \"dtype\""});
        const std::string unknown =
            write("dtype.safetensors", patchHeader(validFile(), [](Json& h) { h["bias"]["dtype"] = "F8_E4M3"; }));
        expectError([&] { loadSafetensors(unknown); },
                    {unknown + ": tensor 'bias': unknown or unsupported dtype 'F8_E4M3'",
                     "F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL", "re-save"});
        const std::string number =
            write("dtypenum.safetensors", patchHeader(validFile(), [](Json& h) { h["bias"]["dtype"] = 4; }));
        expectError([&] { loadSafetensors(number); }, {"tensor 'bias': \"dtype\" must be a string"});
    }

    void badShape() {
        for (const Json& shape : {Json(-4), Json::array({-4}), Json::array({4.0}), Json::array({"4"})}) {
            const std::string p =
                write("shape.safetensors", patchHeader(validFile(), [&](Json& h) { h["bias"]["shape"] = shape; }));
            expectError(
                [&] { loadSafetensors(p); },
                {p + ": tensor 'bias': \"shape\" must be an array of non-negative integers, got " + shape.dump()});
        }
        const std::string missing =
            write("noshape.safetensors", patchHeader(validFile(), [](Json& h) { h["bias"].erase("shape"); }));
        expectError([&] { loadSafetensors(missing); }, {"tensor 'bias': no \"shape\""});
    }

    void badDataOffsets() {
        for (const Json& offsets : {Json::array({24}), Json::array({40, 24}), Json::array({-1, 15}),
                                    Json::array({24, 40, 41}), Json("24-40"), Json::array({24.0, 40})}) {
            const std::string p = write(
                "offsets.safetensors", patchHeader(validFile(), [&](Json& h) { h["bias"]["data_offsets"] = offsets; }));
            expectError([&] { loadSafetensors(p); },
                        {p +
                         ": tensor 'bias': \"data_offsets\" must be two non-negative integers [begin, end] with "
                         "begin <= end, got " +
                         offsets.dump()});
        }
    }

    void truncatedFile() {
        const std::string valid = validFile();  // 40-byte data buffer; 'bias' is [24, 40]
        const uint64_t n = headerLength(valid);
        const std::string p = write("truncated.safetensors", valid.substr(0, valid.size() - 3));
        expectError([&] { loadSafetensors(p); },
                    {p + ": tensor 'bias': data_offsets [24, 40] end beyond the 37-byte data buffer",
                     "file is truncated: expected at least " + std::to_string(8 + n + 40) + " bytes, has " +
                         std::to_string(valid.size() - 3),
                     "the file is truncated or corrupted; re-save or re-download it"});
        const std::string headerOnly = write("headeronly.safetensors", valid.substr(0, size_t(8 + n)));
        expectError([&] { loadSafetensors(headerOnly); }, {"data_offsets [0, 24] end beyond the 0-byte data buffer"});
    }

    void patchedOffsetBeyondBuffer() {
        const std::string p = write("offset.safetensors", patchHeader(validFile(), [](Json& h) {
                                        h["bias"]["data_offsets"] = {24, 4096};
                                    }));
        expectError([&] { loadSafetensors(p); },
                    {p + ": tensor 'bias': data_offsets [24, 4096] end beyond the 40-byte data buffer"});
    }

    void shapeDoesNotMatchSize() {
        const std::string p =
            write("mismatch.safetensors", patchHeader(validFile(), [](Json& h) { h["bias"]["shape"] = {5}; }));
        expectError([&] { loadSafetensors(p); },
                    {p + ": tensor 'bias': dtype F32 shape [5] needs 20 bytes but data_offsets [24, 40] cover 16 bytes",
                     "header does not match the data"});
        const std::string dtype =
            write("mismatch2.safetensors", patchHeader(validFile(), [](Json& h) { h["bias"]["dtype"] = "F64"; }));
        expectError([&] { loadSafetensors(dtype); }, {"dtype F64 shape [4] needs 32 bytes"});
        // A shape whose element count overflows 64 bits must not wrap around to a match.
        const std::string huge = write("huge.safetensors", patchHeader(validFile(), [](Json& h) {
                                           h["bias"]["shape"] = {uint64_t(1) << 62, 4, 4};
                                       }));
        expectError([&] { loadSafetensors(huge); }, {"needs more than 2^64 bytes"});
    }

    void overlappingTensors() {
        const std::string p = write("overlap.safetensors", patchHeader(validFile(), [](Json& h) {
                                        h["bias"]["data_offsets"] = {20, 36};
                                    }));
        expectError([&] { loadSafetensors(p); },
                    {p + ": tensor 'bias': data_offsets [20, 36] overlap tensor 'bert.embeddings.weight' at [0, 24]"});
    }

    void holesInBuffer() {
        // Gap between the tensors.
        const std::string gap = write("gap.safetensors", patchHeader(validFile(), [](Json& h) {
                                          h["bert.embeddings.weight"]["data_offsets"] = {0, 24};
                                          h["bias"]["shape"] = {3};
                                          h["bias"]["data_offsets"] = {28, 40};
                                      }));
        expectError([&] { loadSafetensors(gap); },
                    {gap + ": tensor 'bias': data_offsets [28, 40] leave a hole of 4 unused byte(s) after tensor "
                           "'bert.embeddings.weight' [0, 24]"});
        // Gap at the start.
        const std::string start = write("start.safetensors", patchHeader(validFile(), [](Json& h) {
                                            h["bert.embeddings.weight"]["shape"] = {2, 2};
                                            h["bert.embeddings.weight"]["data_offsets"] = {8, 24};
                                        }));
        expectError([&] { loadSafetensors(start); }, {"leave a hole of 8 unused byte(s) after the start"});
        // Bytes after the last tensor.
        const std::string trailing = write("trailing.safetensors", validFile() + "junk");
        expectError([&] { loadSafetensors(trailing); },
                    {trailing + ": the tensors cover 40 byte(s) of the 44-byte data buffer; 4 trailing byte(s)"});
    }

    void duplicateNames() {
        const std::string header =
            "{\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
            "\"w\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}";
        const std::string p = write("dup.safetensors", rawFile(header, "ab"));
        expectError([&] { loadSafetensors(p); }, {p + ": duplicate tensor name 'w' in the header"});
        const std::string key = "{\"w\":{\"dtype\":\"U8\",\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
        const std::string q = write("dupkey.safetensors", rawFile(key, "a"));
        expectError([&] { loadSafetensors(q); }, {q + ": duplicate key 'dtype' inside a header entry"});
    }

    void badMetadataAndBooleans() {
        const std::string meta = write("meta.safetensors", patchHeader(validFile(), [](Json& h) {
                                           h["__metadata__"] = {{"epochs", 3}};
                                       }));
        expectError([&] { loadSafetensors(meta); },
                    {meta + ": \"__metadata__\" entry 'epochs' must be a string, got number 3"});
        const std::string header = "{\"mask\":{\"dtype\":\"BOOL\",\"shape\":[2],\"data_offsets\":[0,2]}}";
        const std::string p = write("bool.safetensors", rawFile(header, std::string("\x01\x07", 2)));
        expectError([&] { loadSafetensors(p); }, {p + ": tensor 'mask': BOOL element 1 has byte value 7"});
    }

    // ---- what the writer refuses ------------------------------------------------------

    void saveRejectsBadInput() {
        const std::string p = path("bad.safetensors");
        const auto t = torch::ones({2});
        expectError(
            [&] {
                saveSafetensors(p, {{"a", t}, {"", t}});
            },
            {"cannot save " + p + ": tensor #1 has an empty name"});
        expectError([&] { saveSafetensors(p, {{"a", t}, {"a", t}}); }, {"tensor #1 'a': the name is used twice"});
        expectError([&] { saveSafetensors(p, {{"__metadata__", t}}); }, {"reserved for the metadata"});
        expectError([&] { saveSafetensors(p, {{"a", at::Tensor()}}); }, {"tensor #0 'a' is undefined"});
        expectError(
            [&] {
                saveSafetensors(p, {{"c", torch::ones({2}, torch::kComplexFloat)}});
            },
            {"tensor #0 'c' has dtype ComplexFloat", "F64, F32"});
        expectError([&] { saveSafetensors(p, {{"s", t.to_sparse()}}); }, {"not a dense tensor", ".to_dense()"});
        expectError(
            [&] {
                saveSafetensors(p, {{"a", t}}, {{"k", "\xff"}});
            },
            {"metadata entry 'k' is not valid UTF-8"});
        QVERIFY(!QFile::exists(QString::fromStdString(p)));  // nothing half-written
    }
};

QTEST_GUILESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"
