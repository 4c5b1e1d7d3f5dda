#include "common/json.h"

#include <set>
#include <vector>

namespace ingress {
namespace {

// A SAX handler that builds the DOM like nlohmann's own, with a depth cap and duplicate-key
// detection. The first error wins and stops the parse.
class StrictSax {
 public:
  explicit StrictSax(int max_depth) : max_depth_(max_depth) {}

  bool null() { return put(Json(nullptr)); }
  bool boolean(bool v) { return put(Json(v)); }
  bool number_integer(Json::number_integer_t v) { return put(Json(v)); }
  bool number_unsigned(Json::number_unsigned_t v) { return put(Json(v)); }
  bool number_float(Json::number_float_t v, const std::string&) { return put(Json(v)); }
  bool string(std::string& v) { return put(Json(std::move(v))); }
  bool binary(Json::binary_t&) { return fail("binary values are not JSON"); }

  bool start_object(std::size_t) { return open(Json::object()); }
  bool start_array(std::size_t) { return open(Json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(std::string& k) {
    Frame& f = stack_.back();
    if (!f.keys.insert(k).second) return fail("duplicate object key \"" + k + "\"");
    f.pending_key = std::move(k);
    return true;
  }

  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception&) {
    if (error_.empty()) error_ = "malformed JSON near byte " + std::to_string(position);
    return false;
  }

  const std::string& error() const { return error_; }
  Json take() { return std::move(root_); }

 private:
  struct Frame {
    Json value;
    std::set<std::string> keys;
    std::string pending_key;
  };

  bool fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }

  bool put(Json v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return true;
    }
    Frame& f = stack_.back();
    if (f.value.is_object()) {
      f.value[f.pending_key] = std::move(v);
    } else {
      f.value.push_back(std::move(v));
    }
    return true;
  }

  bool open(Json container) {
    if (static_cast<int>(stack_.size()) >= max_depth_) {
      return fail("JSON nesting deeper than " + std::to_string(max_depth_) + " levels");
    }
    stack_.push_back(Frame{std::move(container), {}, {}});
    return true;
  }

  bool close() {
    Json v = std::move(stack_.back().value);
    stack_.pop_back();
    return put(std::move(v));
  }

  int max_depth_;
  std::vector<Frame> stack_;
  Json root_;
  std::string error_;
};

}  // namespace

StatusOr<Json> parseJsonStrict(std::string_view text, int max_depth) {
  StrictSax sax(max_depth);
  bool ok = false;
  try {
    ok = Json::sax_parse(text.begin(), text.end(), &sax, Json::input_format_t::json, true);
  } catch (const std::exception& e) {
    return invalidArgument(std::string("malformed JSON: ") + e.what(), "bad_request");
  }
  if (!ok) {
    return invalidArgument(sax.error().empty() ? "malformed JSON" : sax.error(), "bad_request");
  }
  return sax.take();
}

std::string dumpJson(const Json& j, int indent) {
  return j.dump(indent, ' ', false, Json::error_handler_t::replace);
}

std::string_view jsonTypeName(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "object";
    case Json::value_t::array: return "array";
    case Json::value_t::string: return "string";
    case Json::value_t::boolean: return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "integer";
    case Json::value_t::number_float: return "number";
    default: return "value";
  }
}

}  // namespace ingress
