#include "data/label_mapping.h"

#include <algorithm>
#include <map>
#include <set>

#include "util/error.h"
#include "util/strings.h"

namespace tpq {

bool isInteger(const std::string& s) {
    if (s.empty()) return false;
    size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
    if (i == s.size() || s.size() - i > 18) return false;
    for (; i < s.size(); ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
    }
    return true;
}

LabelMapping mapLabels(const std::vector<std::string>& raw, const std::vector<std::string>& givenNames,
                       const std::function<std::string(size_t)>& where) {
    LabelMapping out;
    out.ids.reserve(raw.size());
    if (!givenNames.empty()) {
        out.names = givenNames;
        std::map<std::string, int64_t> index;
        for (size_t i = 0; i < givenNames.size(); ++i) index[givenNames[i]] = int64_t(i);
        for (size_t i = 0; i < raw.size(); ++i) {
            auto it = index.find(raw[i]);
            if (it != index.end()) {
                out.ids.push_back(it->second);
            } else if (isInteger(raw[i]) && std::stoll(raw[i]) >= 0 &&
                       std::stoll(raw[i]) < int64_t(givenNames.size())) {
                out.ids.push_back(std::stoll(raw[i]));
            } else {
                throw Error(where(i) + ": label '" + raw[i] + "' is not one of data.label_names [" +
                            join(givenNames, ", ") + "] nor an index 0.." + std::to_string(givenNames.size() - 1) +
                            " (add it to data.label_names or fix the row)");
            }
        }
        return out;
    }
    const bool allIntegers =
        !raw.empty() && std::all_of(raw.begin(), raw.end(), [](const std::string& s) { return isInteger(s); });
    if (allIntegers) {
        std::set<long long> values;
        for (const auto& s : raw) values.insert(std::stoll(s));
        std::map<long long, int64_t> index;
        for (long long v : values) {
            index[v] = int64_t(out.names.size());
            out.names.push_back(std::to_string(v));
        }
        for (const auto& s : raw) out.ids.push_back(index[std::stoll(s)]);
        return out;
    }
    std::set<std::string> distinct(raw.begin(), raw.end());
    const size_t numeric = size_t(std::count_if(distinct.begin(), distinct.end(), isInteger));
    if (numeric > 0 && numeric < distinct.size()) {
        out.warnings.push_back("labels mix numbers and names (" + std::to_string(numeric) + " numeric of " +
                               std::to_string(distinct.size()) +
                               " distinct: " + join(std::vector<std::string>(distinct.begin(), distinct.end()), ", ") +
                               "); each distinct value became its own class; check data.label_column");
    }
    std::map<std::string, int64_t> index;
    for (const auto& name : distinct) {
        index[name] = int64_t(out.names.size());
        out.names.push_back(name);
    }
    for (const auto& s : raw) out.ids.push_back(index[s]);
    return out;
}

}  // namespace tpq
