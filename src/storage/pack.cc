#include "storage/pack.h"

#include <cstring>

#include "storage/entry.h"

namespace larder {

PackReader::PackReader(std::string_view pack) : pack_(pack) {
  uint64_t n = 0;
  if (!pack.empty()) pos_ = GetVarint(reinterpret_cast<const unsigned char*>(pack.data()), &n);
  count_ = size_t(n);
}

std::string_view PackReader::Next() {
  uint64_t len;
  pos_ += GetVarint(reinterpret_cast<const unsigned char*>(pack_.data() + pos_), &len);
  std::string_view e = pack_.substr(pos_, size_t(len));
  pos_ += size_t(len);
  return e;
}

void PackWriter::Add(std::string_view element) {
  unsigned char hdr[10];
  size_t n = PutVarint(hdr, element.size());
  body_.append(reinterpret_cast<const char*>(hdr), n);
  body_.append(element);
  ++count_;
}

void PackWriter::AddRaw(std::string_view encoded, size_t n) {
  body_.append(encoded);
  count_ += n;
}

std::string PackWriter::Finish() const {
  unsigned char hdr[10];
  size_t n = PutVarint(hdr, count_);
  std::string out;
  out.reserve(n + body_.size());
  out.append(reinterpret_cast<const char*>(hdr), n);
  out.append(body_);
  return out;
}

void PackBytes::AddRaw(const char* bytes, size_t n) {
  if (heap_.empty() && len_ + n <= kInline) {
    std::memcpy(inline_ + len_, bytes, n);
  } else {
    if (heap_.empty()) heap_.assign(inline_, len_);
    heap_.append(bytes, n);
  }
  len_ += n;
}

void PackBytes::AddVarint(uint64_t v) {
  unsigned char buf[10];
  AddRaw(reinterpret_cast<const char*>(buf), PutVarint(buf, v));
}

void PackBytes::AddElement(std::string_view element) {
  AddVarint(element.size());
  AddRaw(element.data(), element.size());
}

size_t PackCount(std::string_view pack) { return PackReader(pack).count(); }

std::string EmptyPack() { return std::string(1, '\0'); }

std::string EncodeElement(std::string_view element) {
  std::string out;
  AppendElement(&out, element);
  return out;
}

void AppendElement(std::string* pack, std::string_view element) {
  unsigned char hdr[10];
  size_t n = PutVarint(hdr, element.size());
  pack->append(reinterpret_cast<const char*>(hdr), n);
  pack->append(element);
}

void SetPackCount(std::string* pack, size_t count) {
  uint64_t old = 0;
  size_t old_len = pack->empty() ? 0
                                 : GetVarint(reinterpret_cast<const unsigned char*>(pack->data()),
                                             &old);
  unsigned char hdr[10];
  size_t n = PutVarint(hdr, count);
  pack->replace(0, old_len, reinterpret_cast<const char*>(hdr), n);
}

}  // namespace larder
