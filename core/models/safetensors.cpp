#include "models/safetensors.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <string_view>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "models/safetensors_header.h"
#include "util/error.h"
#include "util/file_io.h"
#include "util/json_support.h"
#include "util/utf8.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors data is little-endian; add byte swapping here");

namespace tpq {

namespace {

using Json = nlohmann::ordered_json;

/// Hugging Face rejects longer headers too; a bigger N means the file is not a checkpoint.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
constexpr const char* kMetadataKey = "__metadata__";
constexpr const char* kCorrupt = "the file is truncated or corrupted; re-save or re-download it";

struct Dtype {
    const char* name;  // safetensors spelling
    at::ScalarType type;
    uint64_t size;  // bytes per element
};

constexpr Dtype kDtypes[] = {
    {"F64", at::kDouble, 8}, {"F32", at::kFloat, 4}, {"F16", at::kHalf, 2},  {"BF16", at::kBFloat16, 2},
    {"I64", at::kLong, 8},   {"I32", at::kInt, 4},   {"I16", at::kShort, 2}, {"I8", at::kChar, 1},
    {"U8", at::kByte, 1},    {"BOOL", at::kBool, 1},
};

std::string supportedDtypes() {
    std::string s;
    for (const auto& d : kDtypes) s += (s.empty() ? "" : ", ") + std::string(d.name);
    return s;
}

const Dtype* dtypeByName(const std::string& name) {
    for (const auto& d : kDtypes) {
        if (name == d.name) return &d;
    }
    return nullptr;
}

const Dtype* dtypeByType(at::ScalarType type) {
    for (const auto& d : kDtypes) {
        if (type == d.type) return &d;
    }
    return nullptr;
}

std::string shapeText(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

std::string offsetsText(uint64_t begin, uint64_t end) {
    return "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}

/// One validated header entry.
struct Entry {
    std::string name;
    const Dtype* dtype = nullptr;
    std::vector<int64_t> shape;
    uint64_t begin = 0;
    uint64_t end = 0;
};

/// Parses the header JSON, refusing duplicate keys at any level (nlohmann would keep the
/// last one silently, so a duplicated tensor name would lose a tensor).
Json parseHeader(const std::string& path, std::string_view text) {
    if (!isValidUtf8(text)) {
        throw Error(path + ": the JSON header is not valid UTF-8: " + kCorrupt);
    }
    std::vector<std::set<std::string>> keysPerObject;
    std::string duplicate;
    bool duplicateIsTensor = false;
    auto callback = [&](int /*depth*/, Json::parse_event_t event, Json& parsed) {
        if (event == Json::parse_event_t::object_start) {
            keysPerObject.emplace_back();
        } else if (event == Json::parse_event_t::object_end) {
            if (!keysPerObject.empty()) keysPerObject.pop_back();
        } else if (event == Json::parse_event_t::key && !keysPerObject.empty() && parsed.is_string()) {
            const std::string key = parsed.get<std::string>();
            if (!keysPerObject.back().insert(key).second && duplicate.empty()) {
                duplicate = key;
                duplicateIsTensor = keysPerObject.size() == 1;
            }
        }
        return true;
    };
    Json header;
    try {
        header = Json::parse(text.begin(), text.end(), callback);
    } catch (const Json::exception& e) {
        throw Error(path + ": the header is not valid JSON (" + jsonErrorText(e) +
                    "): the file is not a safetensors file or " + kCorrupt);
    }
    if (!duplicate.empty()) {
        if (duplicateIsTensor) {
            throw Error(path + ": duplicate tensor name '" + duplicate +
                        "' in the header: names must be unique; the file is corrupted; re-save it");
        }
        throw Error(path + ": duplicate key '" + duplicate + "' inside a header entry: " + kCorrupt);
    }
    if (!header.is_object()) {
        throw Error(path + ": the header must be a JSON object, got " + std::string(header.type_name()) +
                    ": the file is not a safetensors file or " + kCorrupt);
    }
    return header;
}

void readMetadata(const std::string& path, const Json& value, std::map<std::string, std::string>* metadata) {
    if (!value.is_object()) {
        throw Error(path + ": \"" + kMetadataKey + "\" must be an object of strings, got " +
                    std::string(value.type_name()) + ": " + kCorrupt);
    }
    for (auto it = value.begin(); it != value.end(); ++it) {
        if (!it.value().is_string()) {
            throw Error(path + ": \"" + kMetadataKey + "\" entry '" + it.key() + "' must be a string, got " +
                        std::string(it.value().type_name()) + " " + it.value().dump() + ": " + kCorrupt);
        }
        if (metadata) (*metadata)[it.key()] = it.value().get<std::string>();
    }
}

/// Reads a non-negative integer; false when `v` is anything else.
bool readUnsigned(const Json& v, uint64_t& out) {
    if (!v.is_number_unsigned()) return false;
    out = v.get<uint64_t>();
    return true;
}

Entry readEntry(const std::string& path, const std::string& name, const Json& value, uint64_t bufferSize,
                uint64_t fileSize, uint64_t dataStart) {
    const std::string where = path + ": tensor '" + name + "': ";
    if (name.empty()) throw Error(path + ": a tensor has an empty name: " + kCorrupt);
    if (!value.is_object()) {
        throw Error(where + "expected an object with \"dtype\", \"shape\" and \"data_offsets\", got " +
                    std::string(value.type_name()) + ": " + kCorrupt);
    }
    Entry e;
    e.name = name;

    const auto dtype = value.find("dtype");
    if (dtype == value.end()) throw Error(where + "no \"dtype\": " + kCorrupt);
    if (!dtype->is_string()) {
        throw Error(where + "\"dtype\" must be a string like \"F32\", got " + dtype->dump() + ": " + kCorrupt);
    }
    e.dtype = dtypeByName(dtype->get<std::string>());
    if (!e.dtype) {
        throw Error(where + "unknown or unsupported dtype '" + dtype->get<std::string>() + "'; TPQ Studio reads " +
                    supportedDtypes() + "; convert the checkpoint to one of these (e.g. F32) and re-save it");
    }

    const auto shape = value.find("shape");
    if (shape == value.end()) throw Error(where + "no \"shape\": " + kCorrupt);
    const std::string badShape =
        where + "\"shape\" must be an array of non-negative integers, got " + shape->dump() + ": " + kCorrupt;
    if (!shape->is_array()) throw Error(badShape);
    uint64_t numel = 1;
    bool overflow = false;
    for (const auto& d : *shape) {
        uint64_t dim = 0;
        if (!readUnsigned(d, dim) || dim > uint64_t(std::numeric_limits<int64_t>::max())) throw Error(badShape);
        e.shape.push_back(int64_t(dim));
        overflow |= __builtin_mul_overflow(numel, dim, &numel);
    }

    const auto offsets = value.find("data_offsets");
    if (offsets == value.end()) throw Error(where + "no \"data_offsets\": " + kCorrupt);
    if (!offsets->is_array() || offsets->size() != 2 || !readUnsigned((*offsets)[0], e.begin) ||
        !readUnsigned((*offsets)[1], e.end) || e.begin > e.end) {
        throw Error(where + "\"data_offsets\" must be two non-negative integers [begin, end] with begin <= end, got " +
                    offsets->dump() + ": " + kCorrupt);
    }
    if (e.end > bufferSize) {
        throw Error(where + "data_offsets " + offsetsText(e.begin, e.end) + " end beyond the " +
                    std::to_string(bufferSize) + "-byte data buffer (file is truncated: expected at least " +
                    std::to_string(dataStart + e.end) + " bytes, has " + std::to_string(fileSize) + "): " + kCorrupt);
    }
    uint64_t expected = 0;
    overflow |= __builtin_mul_overflow(numel, e.dtype->size, &expected);
    if (overflow || e.end - e.begin != expected) {
        throw Error(where + "dtype " + e.dtype->name + " shape " + shapeText(e.shape) + " needs " +
                    (overflow ? std::string("more than 2^64") : std::to_string(expected)) + " bytes but data_offsets " +
                    offsetsText(e.begin, e.end) + " cover " + std::to_string(e.end - e.begin) +
                    " bytes: the header does not match the data; " + kCorrupt);
    }
    return e;
}

/// Tensors must tile the buffer exactly: no overlap, no hole, nothing left over.
void checkLayout(const std::string& path, const std::vector<Entry>& entries, uint64_t bufferSize) {
    uint64_t covered = 0;
    const Entry* previous = nullptr;
    for (const auto& e : entries) {
        const std::string where = path + ": tensor '" + e.name + "': data_offsets " + offsetsText(e.begin, e.end);
        if (e.begin < covered) {
            throw Error(where + " overlap tensor '" + previous->name + "' at " +
                        offsetsText(previous->begin, previous->end) + ": " + kCorrupt);
        }
        if (e.begin > covered) {
            throw Error(where + " leave a hole of " + std::to_string(e.begin - covered) + " unused byte(s) after " +
                        (previous ? "tensor '" + previous->name + "' " + offsetsText(previous->begin, previous->end)
                                  : std::string("the start of the data buffer")) +
                        ": " + kCorrupt);
        }
        covered = e.end;
        previous = &e;
    }
    if (covered != bufferSize) {
        throw Error(path + ": the tensors cover " + std::to_string(covered) + " byte(s) of the " +
                    std::to_string(bufferSize) + "-byte data buffer; " + std::to_string(bufferSize - covered) +
                    " trailing byte(s) belong to no tensor: " + kCorrupt);
    }
}

/// The 8-byte header length of a file of `fileSize` bytes starting with `prefix`, checked.
uint64_t headerLength(const std::string& path, std::string_view prefix, uint64_t fileSize) {
    if (fileSize < 8 || prefix.size() < 8) {
        throw Error(path + ": only " + std::to_string(fileSize) +
                    " byte(s) long, but a safetensors file starts with an 8-byte header length: the file is not a "
                    "safetensors file or " +
                    kCorrupt);
    }
    uint64_t headerSize = 0;
    for (int i = 0; i < 8; ++i) headerSize |= uint64_t(uint8_t(prefix[size_t(i)])) << (8 * i);
    if (headerSize > kMaxHeaderBytes) {
        throw Error(path + ": header length " + std::to_string(headerSize) + " bytes is absurd (limit " +
                    std::to_string(kMaxHeaderBytes) + "): the file is not a safetensors file or " + kCorrupt);
    }
    if (headerSize > fileSize - 8) {
        throw Error(path + ": header length " + std::to_string(headerSize) +
                    " bytes is larger than the file (file is truncated: expected at least " +
                    std::to_string(8 + headerSize) + " bytes, has " + std::to_string(fileSize) +
                    "): the file is not a safetensors file or " + kCorrupt);
    }
    return headerSize;
}

/// The validated entries (in file order) of a file of `fileSize` bytes whose first bytes,
/// at least the length and the header, are `prefix`.
struct FileHeader {
    std::vector<Entry> entries;
    uint64_t dataStart = 0;
};

FileHeader readFileHeader(const std::string& path, std::string_view prefix, uint64_t fileSize,
                          std::map<std::string, std::string>* metadata) {
    const uint64_t headerSize = headerLength(path, prefix, fileSize);
    FileHeader h;
    h.dataStart = 8 + headerSize;
    const uint64_t bufferSize = fileSize - h.dataStart;
    const Json header = parseHeader(path, prefix.substr(8, size_t(headerSize)));
    for (auto it = header.begin(); it != header.end(); ++it) {
        if (it.key() == kMetadataKey) {
            readMetadata(path, it.value(), metadata);
        } else {
            h.entries.push_back(readEntry(path, it.key(), it.value(), bufferSize, fileSize, h.dataStart));
        }
    }
    // File order; ties (empty tensors) keep header order.
    std::stable_sort(h.entries.begin(), h.entries.end(), [](const Entry& a, const Entry& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    checkLayout(path, h.entries, bufferSize);
    return h;
}

}  // namespace

std::vector<TensorShape> readSafetensorsShapes(const std::string& path) {
    const uint64_t fileSize = checkReadableFile(path, "safetensors file", kMaxDataFileBytes);
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot open the weights file (not readable)");
    // Only the header is read: the data of a large checkpoint stays on disk.
    std::string prefix(8, '\0');
    in.read(prefix.data(), 8);
    prefix.resize(size_t(in.gcount()));
    const uint64_t headerSize = headerLength(path, prefix, uint64_t(fileSize));
    prefix.resize(size_t(8 + headerSize));
    if (!in.read(prefix.data() + 8, std::streamsize(headerSize)))
        throw Error(path + ": cannot read the header: " + kCorrupt);
    std::vector<TensorShape> out;
    for (const auto& e : readFileHeader(path, prefix, uint64_t(fileSize), nullptr).entries)
        out.push_back({e.name, e.dtype->name, e.shape});
    return out;
}

std::string safetensorsDtypeName(at::ScalarType type) {
    const Dtype* d = dtypeByType(type);
    if (!d)
        throw Error(std::string("dtype ") + c10::toString(type) + " has no safetensors name (" + supportedDtypes() +
                    ")");
    return d->name;
}

int64_t safetensorsDtypeSize(const std::string& dtype) {
    const Dtype* d = dtypeByName(dtype);
    return d ? int64_t(d->size) : 0;
}

int64_t TensorShape::numel() const {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
}

std::vector<NamedTensor> loadSafetensors(const std::string& path, std::map<std::string, std::string>* metadata) {
    return parseSafetensors(readFile(path, "safetensors file", kMaxDataFileBytes), path, metadata);
}

std::vector<NamedTensor> parseSafetensors(const std::string& file, const std::string& path,
                                          std::map<std::string, std::string>* metadata) {
    if (metadata) metadata->clear();
    const FileHeader header = readFileHeader(path, file, file.size(), metadata);
    const auto& entries = header.entries;
    const uint64_t dataStart = header.dataStart;

    std::vector<NamedTensor> result;
    result.reserve(entries.size());
    for (const auto& e : entries) {
        const char* src = file.data() + dataStart + e.begin;
        const uint64_t bytes = e.end - e.begin;
        if (e.dtype->type == at::kBool) {
            for (uint64_t i = 0; i < bytes; ++i) {
                if (uint8_t(src[i]) > 1) {
                    throw Error(path + ": tensor '" + e.name + "': BOOL element " + std::to_string(i) +
                                " has byte value " + std::to_string(int(uint8_t(src[i]))) +
                                ", expected 0 or 1: " + kCorrupt);
                }
            }
        }
        at::Tensor t = at::empty(e.shape, at::TensorOptions().dtype(e.dtype->type));
        if (bytes > 0) std::memcpy(t.data_ptr(), src, size_t(bytes));
        result.push_back({e.name, std::move(t)});
    }
    return result;
}

void saveSafetensors(const std::string& path, const std::vector<NamedTensor>& tensors,
                     const std::map<std::string, std::string>& metadata) {
    Json header = Json::object();
    if (!metadata.empty()) {
        Json& m = header[kMetadataKey] = Json::object();
        for (const auto& [key, value] : metadata) {
            if (!isValidUtf8(key) || !isValidUtf8(value)) {
                throw Error("cannot save " + path + ": metadata entry '" + key +
                            "' is not valid UTF-8; metadata keys and values must be UTF-8 text");
            }
            m[key] = value;
        }
    }
    std::set<std::string> names;
    std::vector<at::Tensor> data;
    data.reserve(tensors.size());
    uint64_t offset = 0;
    for (size_t i = 0; i < tensors.size(); ++i) {
        const auto& [name, tensor] = tensors[i];
        const std::string where = "cannot save " + path + ": tensor #" + std::to_string(i) + " '" + name + "'";
        if (name.empty()) {
            throw Error("cannot save " + path + ": tensor #" + std::to_string(i) +
                        " has an empty name; every tensor needs a unique non-empty name");
        }
        if (name == kMetadataKey) throw Error(where + ": the name is reserved for the metadata; rename the tensor");
        if (!isValidUtf8(name)) throw Error(where + ": the name is not valid UTF-8; rename the tensor");
        if (!names.insert(name).second) {
            throw Error(where + ": the name is used twice; tensor names must be unique in a checkpoint");
        }
        if (!tensor.defined()) throw Error(where + " is undefined (no data); pass a real tensor or leave it out");
        if (tensor.layout() != at::kStrided) {
            throw Error(where + " is not a dense tensor; convert it with .to_dense() before saving");
        }
        const Dtype* dtype = dtypeByType(tensor.scalar_type());
        if (!dtype) {
            throw Error(where + " has dtype " + std::string(c10::toString(tensor.scalar_type())) +
                        ", which safetensors files here cannot hold; convert it to one of " + supportedDtypes() +
                        " (e.g. .to(torch::kFloat))");
        }
        at::Tensor t = tensor.detach().to(at::kCPU).resolve_conj().resolve_neg().contiguous();
        const uint64_t bytes = uint64_t(t.numel()) * dtype->size;
        Json entry = Json::object();
        entry["dtype"] = dtype->name;
        entry["shape"] = t.sizes().vec();
        entry["data_offsets"] = {offset, offset + bytes};
        header[name] = std::move(entry);
        offset += bytes;
        data.push_back(std::move(t));
    }

    std::string json = header.dump();
    // Pad so the data buffer (after the 8-byte prefix) starts 8-byte aligned.
    json.append((8 - json.size() % 8) % 8, ' ');
    std::string out;
    out.reserve(size_t(8 + json.size() + offset));
    const uint64_t headerSize = json.size();
    for (int i = 0; i < 8; ++i) out.push_back(char((headerSize >> (8 * i)) & 0xFF));
    out += json;
    for (const auto& t : data) {
        const size_t bytes = size_t(t.numel()) * t.element_size();
        if (bytes > 0) out.append(static_cast<const char*>(t.data_ptr()), bytes);
    }
    writeFileAtomic(path, out);
}

}  // namespace tpq
