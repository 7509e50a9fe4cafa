// Signal masks of threads started by this library; see signal_mask.h.
#include "core/common/signal_mask.h"

#include <pthread.h>

namespace vector_core
{

sigset_t BlockAllSignals() noexcept
{
	sigset_t all;
	sigset_t previous;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &previous);
	return previous;
}

void RestoreSignalMask(const sigset_t &previous) noexcept
{
	pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

} // namespace vector_core
