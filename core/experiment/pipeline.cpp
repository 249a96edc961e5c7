#include "experiment/pipeline.h"

#include "text/word_vocab_tokenizer.h"
#include "text/wordpiece_tokenizer.h"
#include "util/error.h"
#include "util/paths.h"

namespace tpq {

bool tokenizerNeedsTrainingData(const ExperimentConfig& config) {
    return config.tokenizer.type == "word" && config.tokenizer.vocab.empty();
}

std::string tokenizerVocabPath(const ExperimentConfig& config) {
    if (config.tokenizer.type == "word") return config.tokenizer.vocab;
    if (config.tokenizer.vocab.empty() || config.tokenizer.vocab == "bert-base-uncased") {
        return defaultBertVocabPath();
    }
    return config.tokenizer.vocab;
}

std::unique_ptr<Tokenizer> createTokenizer(const ExperimentConfig& config, const TextClassificationDataset* train) {
    if (tokenizerNeedsTrainingData(config)) {
        if (!train) throw Error("internal: the word tokenizer needs the training split");
        WordVocabOptions options;
        options.minFrequency = size_t(config.tokenizer.minFrequency);
        options.maxSize = size_t(config.tokenizer.maxVocabSize);
        options.lowercase = config.tokenizer.lowercase;
        return std::make_unique<WordVocabTokenizer>(WordVocabTokenizer::build(train->texts(), options));
    }
    try {
        if (config.tokenizer.type == "word") {
            return std::make_unique<WordVocabTokenizer>(WordVocabTokenizer::fromFile(config.tokenizer.vocab));
        }
        return std::make_unique<WordPieceTokenizer>(
            WordPieceTokenizer::fromFile(tokenizerVocabPath(config), config.tokenizer.lowercase));
    } catch (const Error& e) {
        auto it = config.locations.find("tokenizer.vocab");
        const std::string where = it == config.locations.end() ? "" : " (" + it->second + ")";
        throw Error("tokenizer.vocab" + where + ": " + e.what());
    }
}

}  // namespace tpq
