// Tokenizer throughput on the whole SpamAssassin corpus (decoded mail text), one thread.
// Target (issue 2): WordPiece >= 10 MB/s of text on one core.

#include <benchmark/benchmark.h>

#include "data/spam_assassin.h"
#include "text/word_vocab_tokenizer.h"
#include "text/wordpiece_tokenizer.h"
#include "util/paths.h"

namespace {

const tpq::TextClassificationDataset& corpus() {
    static const tpq::TextClassificationDataset d = tpq::loadSpamAssassin(tpq::defaultSpamAssassinPath());
    return d;
}

int64_t corpusBytes() {
    int64_t n = 0;
    for (const auto& t : corpus().texts()) n += int64_t(t.size());
    return n;
}

void BM_WordPieceCorpus(benchmark::State& state) {
    const auto tokenizer = tpq::WordPieceTokenizer::fromFile(tpq::defaultBertVocabPath());
    const auto& texts = corpus().texts();
    std::vector<int64_t> ids;
    int64_t tokens = 0;
    for (auto _ : state) {
        tokens = 0;
        for (const auto& t : texts) {
            ids.clear();
            tokenizer.tokenizeToIds(t, ids);
            tokens += int64_t(ids.size());
        }
        benchmark::DoNotOptimize(tokens);
    }
    state.SetBytesProcessed(state.iterations() * corpusBytes());
    state.counters["tokens"] = double(tokens);
    state.counters["texts"] = double(texts.size());
}
BENCHMARK(BM_WordPieceCorpus)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_WordPieceEncode128(benchmark::State& state) {
    const auto tokenizer = tpq::WordPieceTokenizer::fromFile(tpq::defaultBertVocabPath());
    const auto& texts = corpus().texts();
    tpq::EncodeOptions options;
    options.maxLength = 128;
    for (auto _ : state) {
        for (const auto& t : texts) benchmark::DoNotOptimize(tokenizer.encode(t, options));
    }
    state.SetBytesProcessed(state.iterations() * corpusBytes());
}
BENCHMARK(BM_WordPieceEncode128)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_WordVocabCorpus(benchmark::State& state) {
    const auto tokenizer = tpq::WordVocabTokenizer::build(corpus().texts());
    const auto& texts = corpus().texts();
    std::vector<int64_t> ids;
    for (auto _ : state) {
        for (const auto& t : texts) {
            ids.clear();
            tokenizer.tokenizeToIds(t, ids);
        }
        benchmark::DoNotOptimize(ids.data());
    }
    state.SetBytesProcessed(state.iterations() * corpusBytes());
}
BENCHMARK(BM_WordVocabCorpus)->Unit(benchmark::kMillisecond)->MinTime(2.0);

void BM_DecodeCorpus(benchmark::State& state) {
    for (auto _ : state) {
        benchmark::DoNotOptimize(tpq::loadSpamAssassin(tpq::defaultSpamAssassinPath()).size());
    }
    state.counters["messages"] = 6046;
}
BENCHMARK(BM_DecodeCorpus)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
