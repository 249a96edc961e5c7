#include "train/data_parallel.h"

#define USE_C10D_GLOO 1
#include <chrono>
#include <cstdlib>

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include "util/error.h"
#include "util/logging.h"

namespace tpq {

struct DataParallel::Group {
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
};

namespace {

const char* env(const char* name) {
    const char* v = std::getenv(name);
    return v && *v ? v : nullptr;
}

int intEnv(const char* name, int lowest) {
    const char* v = env(name);
    char* end = nullptr;
    const long n = std::strtol(v, &end, 10);
    if (!end || *end || n < lowest || n > 100000)
        throw Error(std::string(name) + "='" + v + "' is not a whole number of at least " + std::to_string(lowest));
    return int(n);
}

}  // namespace

std::string firstSlurmHost(const std::string& nodeList) {
    const size_t bracket = nodeList.find('[');
    const size_t comma = nodeList.find(',');
    if (bracket == std::string::npos || (comma != std::string::npos && comma < bracket))
        return nodeList.substr(0, comma);
    const std::string prefix = nodeList.substr(0, bracket);
    const size_t end = nodeList.find_first_of("-,]", bracket + 1);
    return prefix + nodeList.substr(bracket + 1, end - bracket - 1);
}

DataParallelPlace DataParallel::placeFromEnvironment() {
    DataParallelPlace p;
    if (env("TPQ_WORLD_SIZE")) {
        p.world = intEnv("TPQ_WORLD_SIZE", 1);
        if (!env("TPQ_RANK")) throw Error("TPQ_WORLD_SIZE is set but TPQ_RANK is not");
        p.rank = intEnv("TPQ_RANK", 0);
        if (env("TPQ_MASTER_ADDR")) p.address = env("TPQ_MASTER_ADDR");
        if (env("TPQ_MASTER_PORT")) p.port = intEnv("TPQ_MASTER_PORT", 1);
    } else if (env("SLURM_NTASKS") && env("SLURM_PROCID") && env("SLURM_STEP_ID")) {  // inside srun
        p.world = intEnv("SLURM_NTASKS", 1);
        p.rank = intEnv("SLURM_PROCID", 0);
        if (env("SLURM_JOB_NODELIST")) p.address = firstSlurmHost(env("SLURM_JOB_NODELIST"));
        if (env("TPQ_MASTER_ADDR")) p.address = env("TPQ_MASTER_ADDR");
        p.port = env("TPQ_MASTER_PORT") ? intEnv("TPQ_MASTER_PORT", 1)
                                        : 29500 + (env("SLURM_JOB_ID") ? intEnv("SLURM_JOB_ID", 0) % 1000 : 0);
    }
    if (p.world > 1 && p.rank >= p.world)
        throw Error("rank " + std::to_string(p.rank) + " is not below the world size " + std::to_string(p.world));
    if (p.port > 65535) throw Error("TPQ_MASTER_PORT " + std::to_string(p.port) + " is not a port (1-65535)");
    return p;
}

std::unique_ptr<DataParallel> DataParallel::fromEnvironment() {
    const DataParallelPlace p = placeFromEnvironment();
    if (p.world <= 1) return nullptr;
    return std::make_unique<DataParallel>(p.rank, p.world, p.address, p.port);
}

DataParallel::DataParallel(int rank, int world, const std::string& masterAddress, int port)
    : m_group(std::make_unique<Group>()), m_rank(rank), m_world(world) {
    try {
        c10d::TCPStoreOptions o;
        o.port = uint16_t(port);
        o.isServer = rank == 0;
        o.numWorkers = size_t(world);
        o.waitWorkers = true;
        o.timeout = std::chrono::minutes(5);
        m_group->store = c10::make_intrusive<c10d::TCPStore>(masterAddress, o);
        // Collectives wait up to 30 minutes: between fine-tunings (a sweep of pruning levels)
        // the other ranks wait in the first all-reduce while rank 0 tests and measures a run.
        auto options = c10d::ProcessGroupGloo::Options::create(std::chrono::minutes(30));
        const bool local = masterAddress == "127.0.0.1" || masterAddress == "localhost";
        options->devices.push_back(local ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
                                         : c10d::ProcessGroupGloo::createDefaultDevice());
        options->threads = 1;
        m_group->group = c10::make_intrusive<c10d::ProcessGroupGloo>(m_group->store, rank, world, options);
    } catch (const std::exception& e) {
        throw Error("data-parallel rank " + std::to_string(rank) + " of " + std::to_string(world) +
                    " could not join the group at " + masterAddress + ":" + std::to_string(port) + ": " + e.what());
    }
    logInfo("data-parallel: rank " + std::to_string(rank) + " of " + std::to_string(world) + " (Gloo, rendezvous " +
            masterAddress + ":" + std::to_string(port) + ")");
}

DataParallel::~DataParallel() = default;

void DataParallel::allReduceSum(const std::vector<at::Tensor>& tensors) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<at::Tensor> flat = {torch::cat([&] {
        std::vector<at::Tensor> parts;
        for (const auto& t : tensors) parts.push_back(t.reshape({-1}));
        return parts;
    }())};
    m_group->group->allreduce(flat)->wait();
    int64_t offset = 0;
    for (const auto& t : tensors) {
        t.copy_(flat[0].narrow(0, offset, t.numel()).view_as(t));
        offset += t.numel();
    }
    m_commSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void DataParallel::broadcast(const std::vector<at::Tensor>& tensors) {
    const auto start = std::chrono::steady_clock::now();
    for (const auto& t : tensors) {
        std::vector<at::Tensor> one = {t.contiguous()};
        m_group->group->broadcast(one)->wait();
        if (!one[0].is_same(t)) t.copy_(one[0]);
    }
    m_commSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace tpq
