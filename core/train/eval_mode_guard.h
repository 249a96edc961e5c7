#pragma once
/// \file eval_mode_guard.h
/// Puts a module in eval mode for the guard's lifetime and restores its previous
/// train/eval mode afterwards, also when an exception leaves the scope.
///
///     EvalModeGuard evalMode(model);  // dropout off until the end of the scope

#include <torch/nn/module.h>

namespace tpq {

class EvalModeGuard {
public:
    explicit EvalModeGuard(torch::nn::Module& module) : m_module(module), m_wasTraining(module.is_training()) {
        m_module.eval();
    }
    ~EvalModeGuard() { m_module.train(m_wasTraining); }
    EvalModeGuard(const EvalModeGuard&) = delete;
    EvalModeGuard& operator=(const EvalModeGuard&) = delete;

private:
    torch::nn::Module& m_module;
    bool m_wasTraining;
};

}  // namespace tpq
