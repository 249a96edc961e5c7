#include "text/encode_dataset.h"

namespace tpq {

std::vector<std::vector<int64_t>> encodeTexts(const Tokenizer& tokenizer, const std::vector<std::string>& texts,
                                              size_t maxLength) {
    EncodeOptions options;
    options.maxLength = maxLength;
    options.padToMaxLength = false;
    std::vector<std::vector<int64_t>> out;
    out.reserve(texts.size());
    for (const auto& t : texts) out.push_back(tokenizer.encode(t, options).inputIds);
    return out;
}

}  // namespace tpq
