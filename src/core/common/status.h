// The one error-return style of src/core: functions that src/pg calls and that can fail are
// noexcept and return a Status, ok or a code with a message; the caller turns a failure into
// ereport(ERROR) with the message. Below them C++ may throw (std::bad_alloc, FAISS, our own
// exceptions); the boundary function catches everything and fills the Status.
//
// A Status is trivially copyable and owns nothing, so it may live in a PostgreSQL frame that
// can ereport (no destructor is skipped by the long jump).
//
// Two other kinds of result keep their own types because each of their values means something
// to the caller, not an error: the codecs' parse results (VectorTextStatus and friends, one SQL
// error message per value) and the page checker's findings (a checker reports what it found in
// the pages and says with a bool whether it can go on).
#pragma once

#include <cstdint>
#include <cstdio>
#include <type_traits>

namespace vector_core
{

class Status
{
public:
	enum class Code : std::uint8_t {
		kOk,
		kError,       // the message says what failed
		kOutOfMemory, // an allocation failed ("out of memory")
		kCancelled,   // stopped because the caller's cancel flag was raised; may be retried
	};

	constexpr Status() = default;

	static Status Ok() noexcept
	{
		return Status();
	}
	// A failure with message (truncated to kMessageBytes - 1 bytes).
	static Status Error(const char *message) noexcept
	{
		return Status(Code::kError, message, nullptr);
	}
	// A failure "what: detail".
	static Status Error(const char *what, const char *detail) noexcept
	{
		return Status(Code::kError, what, detail);
	}
	static Status OutOfMemory() noexcept
	{
		return Status(Code::kOutOfMemory, "out of memory", nullptr);
	}
	static Status Cancelled(const char *message = "cancelled") noexcept
	{
		return Status(Code::kCancelled, message, nullptr);
	}

	bool ok() const noexcept
	{
		return code_ == Code::kOk;
	}
	Code code() const noexcept
	{
		return code_;
	}
	// What failed ("" when ok).
	const char *message() const noexcept
	{
		return message_;
	}

	static constexpr int kMessageBytes = 256;

private:
	// message, or "message: detail" when detail is set.
	Status(Code code, const char *message, const char *detail) noexcept : code_(code)
	{
		if (detail == nullptr)
			std::snprintf(message_, sizeof(message_), "%s", message);
		else
			std::snprintf(message_, sizeof(message_), "%s: %s", message, detail);
	}

	Code code_ = Code::kOk;
	char message_[kMessageBytes] = "";
};

static_assert(std::is_trivially_copyable_v<Status> && std::is_trivially_destructible_v<Status>,
              "a Status may live in a frame that ereport jumps over");

} // namespace vector_core
