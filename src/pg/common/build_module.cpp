// Loading vector_build.so (build_module.h).
//
// The module is opened with dlopen from PostgreSQL's $libdir (pkglib_path), RTLD_LOCAL so that
// the FAISS and BLAS symbols it carries never interpose on anything else, and with every signal
// blocked: libraries it links may start threads from their constructors (OpenBLAS starts its
// thread pool when loaded), and a thread inherits the mask of its creator, so PostgreSQL's
// signal handlers keep running on the backend's main thread only. The module carries no
// PG_MODULE_MAGIC (it includes no PostgreSQL header); its table's ABI version and size guard
// against a stale module of another release instead.
#include "pg/common/pg_headers.h"

#include <dlfcn.h>
#include <signal.h>

#include "core/common/signal_mask.h"
#include "pg/common/build_module.h"

#ifndef DLSUFFIX
#define DLSUFFIX ".so"
#endif

namespace
{

// The loaded table (null until the first successful load).
const VectorBuildApi *build_api = nullptr;

} // namespace

const VectorBuildApi *VectorBuildModule(void)
{
	if (build_api != nullptr)
		return build_api;

	char path[MAXPGPATH];
	snprintf(path, sizeof(path), "%s/%s%s", pkglib_path, VECTOR_BUILD_MODULE_NAME, DLSUFFIX);
	char error[512] = "";
	const sigset_t previous = vector_core::BlockAllSignals();
	void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	VectorBuildApiFunction get_api = nullptr;
	if (handle == nullptr) {
		const char *why = dlerror();
		snprintf(error, sizeof(error), "%s", why != nullptr ? why : "unknown error");
	} else {
		get_api = reinterpret_cast<VectorBuildApiFunction>(dlsym(handle, VECTOR_BUILD_API_SYMBOL));
		if (get_api == nullptr)
			snprintf(error, sizeof(error), "no symbol %s", VECTOR_BUILD_API_SYMBOL);
	}
	vector_core::RestoreSignalMask(previous);
	if (get_api == nullptr) {
		if (handle != nullptr)
			dlclose(handle);
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_FILE),
		                errmsg("could not load the index build module \"%s\": %s", path, error),
		                errhint("make install puts %s%s next to vector%s.", VECTOR_BUILD_MODULE_NAME, DLSUFFIX,
		                        DLSUFFIX)));
	}
	const VectorBuildApi *api = get_api();
	if (api == nullptr || api->abi_version != VECTOR_BUILD_ABI_VERSION || api->size < sizeof(VectorBuildApi)) {
		const unsigned found = api == nullptr ? 0 : api->abi_version;
		dlclose(handle);
		ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
		                errmsg("index build module \"%s\" has interface version %u, vector%s needs %u", path,
		                       found, DLSUFFIX, static_cast<unsigned>(VECTOR_BUILD_ABI_VERSION)),
		                errhint("Install vector%s and %s%s of the same release.", DLSUFFIX,
		                        VECTOR_BUILD_MODULE_NAME, DLSUFFIX)));
	}
	// Kept open for the backend's life: the module may have started threads.
	build_api = api;
	return build_api;
}

void VectorBuildCheck(const VectorBuildResult *result, const char *what)
{
	if (result->code == VECTOR_BUILD_OK)
		return;
	if (result->code == VECTOR_BUILD_CANCELLED)
		CHECK_FOR_INTERRUPTS();
	if (result->code == VECTOR_BUILD_OUT_OF_MEMORY)
		ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("out of memory"),
		                errdetail("%s failed: %s", what, result->message)));
	ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("%s failed: %s", what, result->message)));
}
