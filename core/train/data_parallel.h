#pragma once
/// \file data_parallel.h
/// Data-parallel training across processes (one machine or a Slurm allocation) on LibTorch's
/// c10d: a TCPStore for the rendezvous and ProcessGroupGloo for the collectives. The
/// Trainer splits every global batch by rank and all-reduces the gradients (one flat
/// bucket, summed; each rank's loss is already divided by the global batch size) before
/// each optimizer step, so K processes take the steps one process takes with the same
/// batch_size.
///
/// Rank, world size and the rendezvous address come from TPQ_RANK, TPQ_WORLD_SIZE,
/// TPQ_MASTER_ADDR, TPQ_MASTER_PORT (`tpq train --nproc K` sets them), else from Slurm's
/// SLURM_PROCID, SLURM_NTASKS and the first host of SLURM_JOB_NODELIST (`srun -n K tpq train`).

#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace tpq {

/// Where this process stands per the environment: rank 0 of 1 when no variable says otherwise.
struct DataParallelPlace {
    int rank = 0, world = 1;
    std::string address = "127.0.0.1";
    int port = 29500;
};

class DataParallel {
public:
    /// This process's rank and world size and the rendezvous address per the environment,
    /// without joining anything. Throws tpq::Error for inconsistent variables.
    static DataParallelPlace placeFromEnvironment();
    /// The group this process belongs to per the environment, or nullptr for one process.
    /// Throws tpq::Error for inconsistent variables or a rendezvous that fails (timeout 5 min).
    static std::unique_ptr<DataParallel> fromEnvironment();

    DataParallel(int rank, int world, const std::string& masterAddress, int port);
    ~DataParallel();

    int rank() const { return m_rank; }
    int world() const { return m_world; }

    /// Sums `tensors` (float32, contiguous) across the ranks, in place, as one flat bucket.
    void allReduceSum(const std::vector<at::Tensor>& tensors);
    /// Rank 0's values of `tensors` on every rank, in place.
    void broadcast(const std::vector<at::Tensor>& tensors);
    /// Wall seconds spent in allReduceSum/broadcast so far.
    double communicationSeconds() const { return m_commSeconds; }

private:
    struct Group;
    std::unique_ptr<Group> m_group;
    int m_rank = 0, m_world = 1;
    double m_commSeconds = 0;
};

/// The first host of a Slurm node list: "node[03-05,9],gpu1" -> "node03".
std::string firstSlurmHost(const std::string& nodeList);

}  // namespace tpq
