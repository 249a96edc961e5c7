#include "data/loader_common.h"

#include "util/error.h"
#include "util/file_io.h"
#include "util/strings.h"
#include "util/utf8.h"

namespace tpq {

std::string readTextFile(const std::string& path, const std::string& what) {
    std::string data = readFile(path, what, kMaxDataFileBytes);
    if (trim(data).empty()) {
        throw Error(what + " " + path + " is empty" + (data.empty() ? std::string() : " (only whitespace)") +
                    ": expected one example per line (after a header row for CSV/TSV)");
    }
    if (looksBinary(data)) {
        throw Error(what + " " + path +
                    " looks like a binary file (it contains NUL or control bytes), not text; "
                    "point data.path at a UTF-8 text file");
    }
    return data;
}

}  // namespace tpq
