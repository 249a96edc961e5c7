#include "experiment/pipeline.h"

#include "text/word_vocab_tokenizer.h"
#include "text/wordpiece_tokenizer.h"
#include "util/paths.h"

namespace tpq {

std::string tokenizerVocabPath(const ExperimentConfig& config) {
    if (config.tokenizer.type == "word") return config.tokenizer.vocab;
    if (config.tokenizer.vocab.empty() || config.tokenizer.vocab == "bert-base-uncased") {
        return defaultBertVocabPath();
    }
    return config.tokenizer.vocab;
}

std::unique_ptr<Tokenizer> createTokenizer(const ExperimentConfig& config, const TextClassificationDataset& train) {
    if (config.tokenizer.type == "word") {
        if (!config.tokenizer.vocab.empty()) {
            return std::make_unique<WordVocabTokenizer>(WordVocabTokenizer::fromFile(config.tokenizer.vocab));
        }
        WordVocabOptions options;
        options.minFrequency = size_t(config.tokenizer.minFrequency);
        options.maxSize = size_t(config.tokenizer.maxVocabSize);
        options.lowercase = config.tokenizer.lowercase;
        return std::make_unique<WordVocabTokenizer>(WordVocabTokenizer::build(train.texts(), options));
    }
    return std::make_unique<WordPieceTokenizer>(
        WordPieceTokenizer::fromFile(tokenizerVocabPath(config), config.tokenizer.lowercase));
}

}  // namespace tpq
