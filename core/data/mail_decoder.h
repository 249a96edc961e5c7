#pragma once
/// \file mail_decoder.h
/// Turns one raw RFC 822 message into the text a classifier sees: the Subject line, then
/// the body. GMime walks the MIME tree and undoes quoted-printable and base64; the part's
/// charset is converted to UTF-8; HTML is reduced to text (html_text.h).

#include <string>
#include <string_view>

namespace tpq {

struct DecodedMail {
    std::string subject;         // decoded Subject header (RFC 2047), UTF-8
    std::string body;            // text/plain parts, or text of the text/html parts when none
    bool fromHtml = false;       // body came from HTML
    size_t invalidReplaced = 0;  // bytes that could not be converted and became U+FFFD

    /// Subject as first line, then the body.
    std::string text() const;
};

/// Decodes a message. Headers other than Subject are dropped; multipart trees are walked
/// (nested message/rfc822 too); attachments are skipped. Charsets: us-ascii and
/// iso-8859-1 are read as windows-1252 (their superset, as mail clients do), utf-8 is
/// validated, other charsets known to iconv are converted, unknown ones keep ASCII and
/// turn other bytes into U+FFFD. Never throws on malformed mail.
DecodedMail decodeMail(std::string_view raw);

}  // namespace tpq
