#include "config/yaml_support.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "util/strings.h"

namespace tpq {

std::string yamlWhere(const std::string& source, const YAML::Mark& mark, int lineOffset) {
    if (mark.line < 0) return source;
    return source + ":" + std::to_string(mark.line + 1 + lineOffset) + ":" + std::to_string(mark.column + 1);
}

bool parseInt64(const std::string& s, long long& out) {
    if (s.empty()) return false;
    errno = 0;
    char* end = nullptr;
    const long long v = std::strtoll(s.c_str(), &end, 10);
    if (errno != 0 || *end != '\0') return false;
    out = v;
    return true;
}

bool parseDouble(const std::string& s, double& out) {
    if (s.empty()) return false;
    errno = 0;
    char* end = nullptr;
    if (s.find_first_of("xX") != std::string::npos) return false;  // no hex floats
    const double v = std::strtod(s.c_str(), &end);
    if (errno != 0 || *end != '\0' || !std::isfinite(v)) return false;
    out = v;
    return true;
}

bool parseBool(const std::string& s, bool& out) {
    const std::string l = toLowerAscii(s);
    if (l == "true" || l == "yes" || l == "on") return out = true, true;
    if (l == "false" || l == "no" || l == "off") return out = false, true;
    return false;
}

std::string unknownKeyMessage(const std::string& what, const std::string& key, const std::vector<std::string>& known,
                              const std::string& prefix) {
    std::string msg = "unknown " + what + " '" + prefix + key + "'";
    const std::string near = nearestMatch(key, known);
    if (!near.empty()) return msg + "; did you mean '" + prefix + near + "'?";
    return msg + "; valid keys here: " + join(known, ", ");
}

}  // namespace tpq
