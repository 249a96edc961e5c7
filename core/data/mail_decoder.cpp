#include "data/mail_decoder.h"

#include <cerrno>
#include <mutex>
#include <vector>

#include <gmime/gmime.h>
#include <iconv.h>

#include "data/html_text.h"
#include "util/strings.h"
#include "util/utf8.h"

namespace tpq {
namespace {

void initGMime() {
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
}

// Converts `bytes` in `charset` to UTF-8 through GMime's iconv wrapper (which knows the
// charset aliases found in mail). Bytes iconv rejects become U+FFFD, one each.
std::string toUtf8(const std::string& bytes, std::string charset, size_t* replaced) {
    charset = toLowerAscii(trim(charset));
    if (charset.empty() || charset == "us-ascii" || charset == "ascii" || charset == "iso-8859-1" ||
        charset == "latin1" || charset == "iso_8859-1") {
        charset = "windows-1252";
    }
    if (charset == "utf-8" || charset == "utf8") return sanitizeUtf8(bytes, replaced);
    iconv_t cd = g_mime_iconv_open("UTF-8", charset.c_str());
    if (cd == (iconv_t)-1) return sanitizeUtf8(bytes, replaced);  // unknown charset

    std::string out;
    out.reserve(bytes.size() * 2);
    std::vector<char> buf(4096);
    char* in = const_cast<char*>(bytes.data());
    size_t inLeft = bytes.size();
    while (inLeft > 0) {
        char* outPtr = buf.data();
        size_t outLeft = buf.size();
        const size_t rc = iconv(cd, &in, &inLeft, &outPtr, &outLeft);
        out.append(buf.data(), buf.size() - outLeft);
        if (rc == (size_t)-1) {
            if (errno == E2BIG) continue;
            // EILSEQ or EINVAL (truncated sequence at the end): replace one byte, go on.
            out += "\xEF\xBF\xBD";
            if (replaced) ++*replaced;
            ++in;
            --inLeft;
            iconv(cd, nullptr, nullptr, nullptr, nullptr);
        }
    }
    char* outPtr = buf.data();
    size_t outLeft = buf.size();
    iconv(cd, nullptr, nullptr, &outPtr, &outLeft);
    out.append(buf.data(), buf.size() - outLeft);
    g_mime_iconv_close(cd);
    return sanitizeUtf8(out, replaced);
}

std::string normalizeNewlines(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r') {
            out += '\n';
            if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
        } else {
            out += s[i];
        }
    }
    return out;
}

struct Collected {
    std::vector<std::string> plain;
    std::vector<std::string> html;
    size_t replaced = 0;
};

std::string partText(GMimePart* part, size_t* replaced) {
    GMimeDataWrapper* content = g_mime_part_get_content(part);
    if (!content) return {};
    GMimeStream* mem = g_mime_stream_mem_new();
    g_mime_data_wrapper_write_to_stream(content, mem);  // undoes base64 / quoted-printable / uuencode
    GByteArray* array = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
    std::string bytes(reinterpret_cast<const char*>(array->data), array->len);
    g_object_unref(mem);
    const char* charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
    return toUtf8(bytes, charset ? charset : "", replaced);
}

void collect(GMimeObject* object, Collected& out, int depth) {
    if (!object || depth > 32) return;
    if (GMIME_IS_MESSAGE_PART(object)) {
        GMimeMessage* inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
        if (inner) collect(g_mime_message_get_mime_part(inner), out, depth + 1);
        return;
    }
    if (GMIME_IS_MULTIPART(object)) {
        GMimeMultipart* multipart = GMIME_MULTIPART(object);
        const int n = g_mime_multipart_get_count(multipart);
        for (int i = 0; i < n; ++i) collect(g_mime_multipart_get_part(multipart, i), out, depth + 1);
        return;
    }
    if (!GMIME_IS_PART(object)) return;
    GMimePart* part = GMIME_PART(object);
    if (g_mime_part_is_attachment(part)) return;
    GMimeContentType* type = g_mime_object_get_content_type(object);
    if (g_mime_content_type_is_type(type, "text", "plain")) {
        out.plain.push_back(normalizeNewlines(partText(part, &out.replaced)));
    } else if (g_mime_content_type_is_type(type, "text", "html")) {
        out.html.push_back(htmlToText(partText(part, &out.replaced)));
    }
}

std::string joinNonEmpty(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) {
        std::string_view t = trim(p);
        if (t.empty()) continue;
        if (!out.empty()) out += "\n\n";
        out += t;
    }
    return out;
}

}  // namespace

std::string DecodedMail::text() const {
    if (subject.empty()) return body;
    if (body.empty()) return subject;
    return subject + "\n" + body;
}

DecodedMail decodeMail(std::string_view raw) {
    initGMime();
    // Mailbox files start with an mbox "From " separator line, which is not a header.
    if (startsWith(raw, "From ")) {
        const size_t eol = raw.find('\n');
        raw.remove_prefix(eol == std::string_view::npos ? raw.size() : eol + 1);
    }
    DecodedMail mail;
    GMimeStream* stream = g_mime_stream_mem_new_with_buffer(raw.data(), raw.size());
    GMimeParser* parser = g_mime_parser_new_with_stream(stream);
    g_object_unref(stream);
    GMimeMessage* message = g_mime_parser_construct_message(parser, nullptr);
    g_object_unref(parser);
    if (!message) return mail;

    if (const char* subject = g_mime_message_get_subject(message)) {
        std::string s = sanitizeUtf8(subject, &mail.invalidReplaced);
        // Folded headers keep their line breaks; a subject is one line.
        for (char& c : s) {
            if (c == '\n' || c == '\r' || c == '\t') c = ' ';
        }
        mail.subject = std::string(trim(s));
    }
    Collected collected;
    collect(g_mime_message_get_mime_part(message), collected, 0);
    g_object_unref(message);
    mail.invalidReplaced += collected.replaced;
    mail.body = joinNonEmpty(collected.plain);
    if (mail.body.empty()) {
        mail.body = joinNonEmpty(collected.html);
        mail.fromHtml = !mail.body.empty();
    }
    return mail;
}

}  // namespace tpq
